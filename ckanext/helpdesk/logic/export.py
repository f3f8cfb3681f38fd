"""Issue lists as open data: every issue a list shows, as CSV or JSON,
streamed from a server-side cursor so memory stays flat whatever the row
count.

The rows are those helpdesk_issue_search finds for the same filters (its
access check, validation, permission rule and sort), less the hidden
issues, which no export carries, not even to the moderators who may see
them. The columns are public fields only (COLUMNS, documented in
README.rst): no reporter or assignee (people), no email address, nothing
of the comments (internal notes, hidden comments) but the public count.

JSON is one array, each issue an object on a line of its own: any JSON
reader parses it, line tools can still go row by row, and an answer cut
short (the connection lost mid-stream) is not valid JSON, so the cut shows
(JSON Lines would read as a complete, shorter list).
"""
from __future__ import annotations

import csv
import io
import json
from typing import IO, Any, Iterator

import sqlalchemy as sa
from sqlalchemy.sql.expression import Select

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import text
from ckanext.helpdesk.logic.action import issue_search_statement
from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.open311.listing import w3c

# Rows fetched from the server-side cursor at a time, and written per
# chunk of the answer.
BATCH = 2000
FORMATS = {"csv": "text/csv; charset=utf-8",
           "json": "application/json; charset=utf-8"}

# name -> what it holds (README.rst's table says the same).
COLUMNS = {
    "id": "The issue's id.",
    "number": "Its number within its dataset (within its organization for "
              "a data request).",
    "url": "Its page on the portal.",
    "dataset_name": "The dataset's name (empty for a data request).",
    "dataset_title": "The dataset's title.",
    "organization_name": "The organization's name.",
    "organization_title": "The organization's title.",
    "resource_id": "The id of the file it is about, if any.",
    "category": "Its category code (ckanext.helpdesk.categories).",
    "status": "new, acknowledged, in_progress (open), resolved, wont_fix "
              "or duplicate (closed).",
    "title": "Its title.",
    "description": "Its description (Markdown).",
    "comment_count": "How many public comments it has.",
    "vote_count": "How many +1s it has.",
    "created": "When it was reported (UTC, ISO 8601).",
    "updated": "When it last changed in public (UTC).",
    "resolved_at": "When it was closed (UTC; empty while open).",
}


def _statement(site_url: str) -> Select:
    organization = model.group_table
    dataset = model.Package
    url = sa.case(
        (dataset.name.is_not(None),
         sa.func.concat(site_url, "/dataset/", dataset.name, "/issues/",
                        Issue.number)),
        (Issue.dataset_id.is_(None),
         sa.func.concat(site_url, "/organization/", organization.c.name,
                        "/requests/", Issue.number)),
        # A purged dataset's issue keeps a page of its own.
        else_=sa.func.concat(site_url, "/helpdesk/issues/", Issue.id))
    fields = {
        "id": Issue.id, "number": Issue.number, "url": url,
        "dataset_name": dataset.name, "dataset_title": dataset.title,
        "organization_name": organization.c.name,
        "organization_title": organization.c.title,
        "resource_id": Issue.resource_id, "category": Issue.category,
        "status": Issue.status, "title": Issue.title,
        "description": Issue.description,
        "comment_count": Issue.comment_count,
        "vote_count": Issue.vote_count,
        "created": w3c(Issue.created, "created"),
        "updated": w3c(Issue.updated, "updated"),
        "resolved_at": w3c(Issue.resolved_at, "resolved_at"),
    }
    return sa.select(*(column.label(name) for name, column in fields.items())
                     ).select_from(Issue).outerjoin(
        organization, organization.c.id == Issue.organization_id)


def export_statement(context: Context, filters: dict[str, Any]) -> Select:
    """The statement of the export of the issues helpdesk_issue_search
    finds with `filters` for the caller; raises its NotAuthorized and
    ValidationError (so a view answers before streaming anything)."""
    site_url = tk.config.get("ckan.site_url").rstrip("/")
    statement = issue_search_statement(context, filters,
                                       _statement(site_url))
    return statement.where(visibility.shown_to_readers())


def rows(statement: Select) -> Iterator[tuple[Any, ...]]:
    """The rows of `statement`, from a server-side cursor (psycopg2's named
    cursor) holding at most BATCH rows at a time. The options go with this
    one statement: set on the connection, SQLAlchemy 2.0 keeps them there,
    and the session's next INSERT would be declared as a cursor too."""
    result = model.Session.connection().execute(
        statement, execution_options={"stream_results": True,
                                      "max_row_buffer": BATCH})
    try:
        for batch in result.partitions(BATCH):
            yield from batch
    finally:
        result.close()


def _clean(value: Any) -> Any:
    """What every CSV and JSON reader takes: control characters other than
    tab and line breaks (stored before they were refused) become U+FFFD;
    None becomes "" in CSV."""
    if isinstance(value, str):
        return text.UNFIT_MULTILINE.sub("\ufffd", value)
    return value


def csv_chunks(statement: Select) -> Iterator[str]:
    """The export as CSV (RFC 4180: a header, then a line per issue, text
    quoted when it holds a comma, quote or line break)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for count, row in enumerate(rows(statement), 1):
        writer.writerow(["" if value is None else _clean(value)
                         for value in row])
        if count % BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def json_chunks(statement: Select) -> Iterator[str]:
    """The export as a JSON array of objects, one per line."""
    names = list(COLUMNS)
    buffer = io.StringIO()
    buffer.write("[")
    separator = "\n"
    for count, row in enumerate(rows(statement), 1):
        buffer.write(separator)
        buffer.write(json.dumps(dict(zip(names, map(_clean, row))),
                                ensure_ascii=False))
        separator = ",\n"
        if count % BATCH == 0:
            yield _drain(buffer)
    buffer.write("\n]\n")
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk


CHUNKS = {"csv": csv_chunks, "json": json_chunks}


def write_csv(context: Context, filters: dict[str, Any],
              destination: IO[bytes]) -> int:
    """Write the CSV export for `filters` to `destination` (a binary
    file), as the view streams it; the number of bytes written."""
    written = 0
    for chunk in csv_chunks(export_statement(context, filters)):
        written += destination.write(chunk.encode("utf-8"))
    return written
