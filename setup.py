# Metadata lives in pyproject.toml; setup.py remains for the Babel message
# extractors CKAN's translation tooling reads (setup.cfg has the catalogue
# commands). bin/i18n reads MESSAGE_EXTRACTORS from here too.
from setuptools import setup

MESSAGE_EXTRACTORS = {
    "ckanext": [
        ("**/tests/**", "ignore", None),
        ("**.py", "python", None),
        ("**.js", "javascript", None),
        ("**/templates/**.html", "ckan", None),
        ("**/templates/**.txt", "ckan", None),
    ],
}

if __name__ == "__main__":
    setup(message_extractors=MESSAGE_EXTRACTORS)
