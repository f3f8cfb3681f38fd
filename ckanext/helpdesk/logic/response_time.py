"""An organization's typical time to a first public response, as visitors
are told it on the confirmation and issue pages.

The first public response to an issue is the earliest public word of the
publisher on it: a shown, non-internal comment, or a status, assignment or
duplicate change, by an editor or admin of the organization (or a
sysadmin). The figure is the median, over the public issues reported in the
last WINDOW_DAYS that got one, of the time from the report to that
response: one statement, from public content only, so it is the same for
every viewer and tells nothing about private datasets, hidden issues or
internal notes.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement, CompoundSelect

import ckan.model as model

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import Comment, Event, Issue, utcnow

WINDOW_DAYS = 90
# Timeline events a visitor reads as the publisher's answer.
RESPONDING_EVENTS = ("status", "assignee", "duplicate_of")


def _publishers(organization_id: Any) -> CompoundSelect:
    """A sub-select of the ids of who answers for the organization."""
    member = model.member_table
    return sa.union(
        # An expression for the organization (the statistics' owning
        # organization) refers to the issue of the statement this is
        # nested in, three levels up: correlated explicitly.
        sa.select(member.c.table_id).where(
            member.c.group_id == organization_id,
            member.c.table_name == "user", member.c.state == "active",
            member.c.capacity.in_(visibility.MANAGER_CAPACITIES)
        ).correlate_except(member),
        sa.select(model.User.id).where(model.User.sysadmin.is_(True),
                                       model.User.state == "active"))


def _first_response(organization_id: Any) -> ColumnElement[Any]:
    """The moment of the issue's first public response (correlated scalar
    sub-selects over Issue; PostgreSQL's LEAST skips a NULL, and is NULL
    when there is no response). `organization_id` is an id, or an SQL
    expression such as visibility.owning_organization() (each issue
    answered by its own organization's publishers: the statistics)."""
    publishers = _publishers(organization_id)
    reply = sa.select(sa.func.min(Comment.created)).where(
        Comment.issue_id == Issue.id, Comment.internal.is_(False),
        Comment.hidden.is_(False), Comment.author_id.in_(publishers))
    change = sa.select(sa.func.min(Event.created)).where(
        Event.issue_id == Issue.id, Event.kind.in_(RESPONDING_EVENTS),
        Event.actor_id.in_(publishers))
    return sa.func.least(reply.scalar_subquery(), change.scalar_subquery())


def median_first_response(organization_id: str,
                          now: datetime.datetime | None = None
                          ) -> dict[str, Any]:
    """{"median_seconds": float or None, "answered": n, "days": WINDOW_DAYS}
    of the organization's public issues reported in the window."""
    since = (now or utcnow()) - datetime.timedelta(days=WINDOW_DAYS)
    answered = visibility.visible_issues(
        sa.select(Issue.created,
                  _first_response(organization_id).label("responded"))
        .select_from(Issue), visibility.Viewer()
    ).where(visibility.owning_organization() == organization_id,
            Issue.created >= since).subquery()
    waited = sa.func.extract("epoch", answered.c.responded
                             - answered.c.created)
    statement = sa.select(
        sa.func.percentile_cont(0.5).within_group(waited),
        sa.func.count(answered.c.responded),
    ).where(answered.c.responded.is_not(None))
    median, count = model.Session.execute(statement).one()
    return {"median_seconds": None if median is None else float(median),
            "answered": count, "days": WINDOW_DAYS}
