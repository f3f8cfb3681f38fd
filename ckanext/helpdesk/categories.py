"""Issue categories, from the ``ckanext.helpdesk.categories`` option."""
import ckan.plugins.toolkit as tk


def configured_categories():
    """[{code, name, description}] in the configured order; each line of
    the option reads "code | name | description"."""
    lines = tk.config.get("ckanext.helpdesk.categories") or ""
    return [_parse(line) for line in lines.splitlines() if line.strip()]


def _parse(line):
    code, name, description = (line.split("|", 2) + ["", ""])[:3]
    code = code.strip()
    return {"code": code, "name": name.strip() or code,
            "description": description.strip()}


def category_codes():
    return {category["code"] for category in configured_categories()}
