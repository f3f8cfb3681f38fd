"""The orders issue lists come in, by name: one table that the search
schema (which names it accepts), the list pages (which they pass on) and
logic/queries.py (the ORDER BY of each) read.

A module of its own rather than part of queries.py, which the schema
cannot import: queries.py reads logic/lookup.py, which reads the schema.
"""
from __future__ import annotations

from typing import Any

from ckanext.helpdesk.model import Issue

# Sort name -> the ORDER BY columns; ties broken by id, so pages never
# overlap.
ISSUE_SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Issue.created.desc(), Issue.id),
    "oldest": (Issue.created.asc(), Issue.id),
    "updated": (Issue.updated.desc(), Issue.id),
    "votes": (Issue.vote_count.desc(), Issue.created.desc(), Issue.id),
    "comments": (Issue.comment_count.desc(), Issue.created.desc(), Issue.id),
}
