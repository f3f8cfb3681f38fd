# Metadata lives in pyproject.toml; setup.py remains for the Babel message
# extractors CKAN's translation tooling reads.
from setuptools import setup

setup(
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
