"""Where an issue received over Open311 came from.

A help desk that forwards a report sends its own Open311 base URL as
``attribute[origin]`` and its key for the report (the forward's id) as
``attribute[origin_key]``. The receiver records both with the issue, in
the transaction that creates it: the issue is never forwarded back to that
origin (no loops), and a second POST with the same origin and key (a
retry after a timeout) answers the first issue's id instead of making
another (a unique index, so even two at once make one).

The origin is what the sender says: it only ever stops forwarding, so a
false one harms no one but its sender.
"""
from __future__ import annotations

import contextlib
import contextvars
import urllib.parse

import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.model import IssueOrigin

URL_LENGTH = 500
KEY_LENGTH = 100

# (origin_url, origin_key) of the Open311 POST being handled.
_receiving: contextvars.ContextVar = contextvars.ContextVar(
    "helpdesk_receiving_origin", default=None)


@contextlib.contextmanager
def receiving(origin_url: str | None, origin_key: str | None):
    """Within the block, a new issue records this origin."""
    reset = _receiving.set((origin_url, origin_key) if origin_url else None)
    try:
        yield
    finally:
        _receiving.reset(reset)


def record(issue) -> None:
    """Add the origin of the POST being handled to the issue (not
    committed: with the issue)."""
    given = _receiving.get()
    if given:
        model.Session.add(IssueOrigin(issue_id=issue.id, origin_url=given[0],
                                      origin_key=given[1]))
        model.Session.flush()


def issue_with_key(origin_url: str, origin_key: str) -> str | None:
    """The issue already received with this origin and key."""
    return model.Session.execute(sa.select(IssueOrigin.issue_id).where(
        IssueOrigin.origin_url == origin_url,
        IssueOrigin.origin_key == origin_key)).scalar()


def origin_of(issue_id: str) -> str | None:
    return model.Session.execute(sa.select(IssueOrigin.origin_url).where(
        IssueOrigin.issue_id == issue_id)).scalar()


def normalized(address: str) -> tuple[str, str]:
    """(scheme://host:port, path without trailing slash), lower case."""
    parts = urllib.parse.urlsplit(address.strip())
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}"
            f":{port}", parts.path.rstrip("/"))


def same_portal(first: str, second: str) -> bool:
    """Whether two URLs are of the same portal: same host and port, and
    one path inside the other (a portal and its Open311 base URL)."""
    (host_a, path_a), (host_b, path_b) = normalized(first), normalized(
        second)
    if host_a != host_b:
        return False
    return (path_a + "/").startswith(path_b + "/") or (
        path_b + "/").startswith(path_a + "/")
