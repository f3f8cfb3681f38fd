"""Issue categories, from the ``ckanext.helpdesk.categories`` option."""
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.catalogue import N_

# The default categories of config_declaration.yaml, for the catalogue: a
# portal that keeps them shows them in the reader's language. Names and
# descriptions an operator writes are shown as written (gettext returns
# text it has no translation for unchanged).
DEFAULT_TEXTS = (
    N_("Data problem"),
    N_("Something in the data is wrong, missing or out of date."),
    N_("Improvement"),
    N_("A suggestion to make the dataset more useful."),
    N_("Question"),
    N_("A question about the data or how to use it."),
    N_("Data request"),
    N_("A request for data the organization does not publish yet."),
)


def configured_categories():
    """[{code, name, description}] in the configured order, names and
    descriptions translated; each line of the option reads "code | name |
    description"."""
    lines = tk.config.get("ckanext.helpdesk.categories") or ""
    return [_parse(line) for line in lines.splitlines() if line.strip()]


def _parse(line):
    code, name, description = (line.split("|", 2) + ["", ""])[:3]
    code, name, description = code.strip(), name.strip(), description.strip()
    return {"code": code, "name": _translated(name) or code,
            "description": _translated(description)}


def _translated(text):
    # gettext("") is the catalogue's header, not an empty string.
    return tk._(text) if text else ""


def category_codes():
    return {category["code"] for category in configured_categories()}
