"""The help desk's performance published as open data: a CKAN dataset in
an organization the operator names (`ckan helpdesk publish-stats`, run
from cron), with two CSV resources uploaded to CKAN's file store through
the Action API:

- every public issue: exactly the anonymous /issues.csv export;
- the weekly figures (logic/weekly.py) per organization and category, of
  the public issues.

A data dictionary of both is the dataset's description. Each run updates
the same dataset and resources (found by name, and by the
``helpdesk_export`` key each resource carries), so the portal keeps one
dataset whose files are replaced.
"""
from __future__ import annotations

import csv
import pathlib
import tempfile

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import export
from ckanext.helpdesk.logic.weekly import weekly_figures

# helpdesk_export key -> (file name, resource name, description).
RESOURCES = {
    "issues": ("helpdesk-issues.csv", "Help desk issues",
               "Every public issue of the portal's help desk, one per "
               "line."),
    "weekly": ("helpdesk-weekly.csv", "Help desk weekly figures",
               "Issues opened and closed per week (the last 52), by "
               "organization and category."),
}
WEEKLY_COLUMNS = {
    "week": "The Monday the week starts (UTC), YYYY-MM-DD.",
    "organization_name": "The organization's name.",
    "category": "The issues' category code.",
    "opened": "How many public issues were reported that week.",
    "closed": "How many of today's closed public issues (resolved, won't "
              "fix, duplicate) were closed that week.",
}


def _context():
    """Changes are made as the site user, CKAN's own sysadmin account."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


def _dictionary():
    """The dataset's description: what it is, and each column."""
    lines = [tk.config.get("ckanext.helpdesk.publish.description"), ""]
    for key, columns in (("issues", export.COLUMNS),
                         ("weekly", WEEKLY_COLUMNS)):
        file_name, name, description = RESOURCES[key]
        lines += [f"### {name} ({file_name})", "", description, "",
                  "| column | meaning |", "| --- | --- |"]
        lines += [f"| {column} | {meaning} |"
                  for column, meaning in columns.items()]
        lines.append("")
    return "\n".join(lines)


def _write_weekly(path):
    """The weekly figures of the public issues, as CSV."""
    rows = weekly_figures(visibility.Viewer())
    group = model.group_table
    names = dict(model.Session.execute(sa.select(group.c.id, group.c.name)
                                       .where(group.c.id.in_(
        {row["organization_id"] for row in rows}))).all())
    with open(path, "w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output, lineterminator="\r\n")
        writer.writerow(WEEKLY_COLUMNS)
        for row in rows:
            writer.writerow([row["week"].isoformat(),
                             names.get(row["organization_id"], ""),
                             row["category"], row["opened"], row["closed"]])


def _dataset(organization, name):
    """The published dataset, created (public, in the organization) or
    brought up to date."""
    fields = {"name": name, "owner_org": organization["id"],
              "title": tk.config.get("ckanext.helpdesk.publish.title"),
              "notes": _dictionary(), "private": False}
    try:
        existing = tk.get_action("package_show")(_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.get_action("package_create")(_context(), fields)
    if existing["owner_org"] != organization["id"]:
        # Someone else's dataset of that name is not ours to overwrite.
        raise tk.ValidationError({"dataset": [
            f"{name} belongs to another organization: choose another "
            "name (--dataset)"]})
    return tk.get_action("package_patch")(
        _context(), dict(fields, id=existing["id"], state="active"))


def _upload(dataset, key, path):
    """Create, or replace the file of, the dataset's resource `key`."""
    file_name, name, description = RESOURCES[key]
    existing = [resource for resource in dataset["resources"]
                if resource.get("helpdesk_export") == key]
    with open(path, "rb") as stream:
        fields = {"name": name, "description": description, "format": "CSV",
                  "mimetype": "text/csv", "helpdesk_export": key,
                  "url": file_name,
                  "upload": FileStorage(stream=stream, filename=file_name,
                                        content_type="text/csv")}
        if existing:
            return tk.get_action("resource_update")(
                _context(), dict(fields, id=existing[0]["id"]))
        return tk.get_action("resource_create")(
            _context(), dict(fields, package_id=dataset["id"]))


def publish_stats(organization: str, dataset: str) -> dict:
    """Publish (or update) the dataset `dataset` of `organization` (names
    or ids); returns the dataset as package_show answers it.
    ValidationError names what CKAN refused (e.g. a file larger than
    ckan.max_resource_size)."""
    owner = tk.get_action("organization_show")(
        _context(), {"id": organization, "include_datasets": False,
                     "include_users": False, "include_extras": False})
    with tempfile.TemporaryDirectory(prefix="helpdesk-publish-") as folder:
        issues_path = pathlib.Path(folder) / "issues.csv"
        with open(issues_path, "wb") as output:
            # As a visitor who is not signed in asks for it.
            export.write_csv({"user": ""}, {}, output)
        weekly_path = pathlib.Path(folder) / "weekly.csv"
        _write_weekly(weekly_path)
        published = _dataset(owner, dataset)
        for key, path in (("issues", issues_path), ("weekly", weekly_path)):
            _upload(published, key, path)
    return tk.get_action("package_show")(_context(), {"id": published["id"]})
