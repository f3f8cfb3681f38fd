"""Issues opened and closed per week, by organization and category: the
statistics pages' chart (and the weekly figures published as open data).

Weeks start on Monday 00:00 UTC. An issue counts as opened in the week of
its report and as closed in the week of its resolved_at when it is closed
(resolved, won't fix, duplicate) now; a reopened issue no longer counts as
closed. Only issues the viewer may see (visibility.visible_issues) count,
and never hidden ones (held or hidden by moderation): the figures describe
the help desk's public work.
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement, Select

import ckan.model as model

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import CLOSED_STATUSES, Issue, utcnow


def monday_of(moment: datetime.datetime) -> datetime.date:
    day = moment.astimezone(datetime.timezone.utc).date()
    return day - datetime.timedelta(days=day.weekday())


def week_of(column: Any) -> ColumnElement[Any]:
    """SQL: the date of the Monday (UTC) of the week of `column`."""
    return sa.cast(sa.func.date_trunc("week", sa.func.timezone("UTC", column)),
                   sa.Date)


def public_work(columns: Iterable[Any], viewer: visibility.Viewer,
                organization_id: str | None = None) -> Select:
    """A select of `columns` from the issues the figures are made of: the
    visible, not hidden ones (of one organization, when given)."""
    statement = visibility.visible_issues(
        sa.select(*columns).select_from(Issue), viewer
    ).where(visibility.shown_to_readers())
    if organization_id is not None:
        statement = statement.where(
            visibility.owning_organization() == organization_id)
    return statement


def weekly_figures(viewer: visibility.Viewer,
                   organization_id: str | None = None, weeks: int = 52,
                   now: datetime.datetime | None = None
                   ) -> list[dict[str, Any]]:
    """[{"week", "organization_id", "category", "opened", "closed"}] for
    the weeks (the current one and the weeks - 1 before it) with any
    activity, oldest first; one statement."""
    now = now or utcnow()
    first = monday_of(now) - datetime.timedelta(weeks=weeks - 1)
    since = datetime.datetime.combine(first, datetime.time(),
                                      datetime.timezone.utc)
    organization = visibility.owning_organization()

    def counted(column: Any, opened: int, closed: int,
                *conditions: Any) -> Select:
        return public_work(
            [week_of(column).label("week"),
             organization.label("organization_id"), Issue.category,
             sa.literal(opened).label("opened"),
             sa.literal(closed).label("closed")],
            viewer, organization_id).where(column >= since, column <= now,
                                           *conditions)

    events = sa.union_all(
        counted(Issue.created, 1, 0),
        counted(Issue.resolved_at, 0, 1, Issue.status.in_(CLOSED_STATUSES)),
    ).subquery()
    statement = sa.select(
        events.c.week, events.c.organization_id, events.c.category,
        sa.func.sum(events.c.opened).label("opened"),
        sa.func.sum(events.c.closed).label("closed"),
    ).group_by(events.c.week, events.c.organization_id, events.c.category
               ).order_by(events.c.week, events.c.organization_id,
                          events.c.category)
    return [{"week": row.week, "organization_id": row.organization_id,
             "category": row.category, "opened": int(row.opened),
             "closed": int(row.closed)}
            for row in model.Session.execute(statement)]
