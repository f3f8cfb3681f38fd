"""Issues opened and closed per week, by organization and category: the
weekly figures the statistics pages chart and publish-stats publishes.

Weeks start on Monday 00:00 UTC. An issue counts as opened in the week it
was reported and as closed in the week of its resolved_at, if it is
closed now (resolved, won't fix or duplicate); its organization is its
owning organization (the current owner of its dataset). Only the issues
the viewer may see count (visibility.visible_issues). Two grouped scans in
one statement, whatever the number of issues.
"""
from __future__ import annotations

import datetime

import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import CLOSED_STATUSES, Issue


def _monday(moment: datetime.datetime) -> datetime.datetime:
    day = moment.astimezone(datetime.timezone.utc).date()
    monday = day - datetime.timedelta(days=day.weekday())
    return datetime.datetime.combine(monday, datetime.time(),
                                     datetime.timezone.utc)


def _events(moment, opened, viewer, organization_id, start, end):
    """One row per issue opened (or closed) in [start, end]: its week,
    organization and category, and 1 in the matching column."""
    organization = visibility.owning_organization()
    week = sa.cast(sa.func.date_trunc(
        "week", sa.func.timezone("UTC", moment)), sa.Date)
    statement = visibility.visible_issues(sa.select(
        week.label("week"), organization.label("organization_id"),
        Issue.category.label("category"),
        sa.literal(int(opened)).label("opened"),
        sa.literal(int(not opened)).label("closed")).select_from(Issue),
        viewer).where(moment >= start, moment <= end)
    if not opened:
        statement = statement.where(Issue.status.in_(CLOSED_STATUSES))
    if organization_id:
        statement = statement.where(organization == organization_id)
    return statement


def weekly_figures(viewer: visibility.Viewer,
                   organization_id: str | None = None, weeks: int = 52,
                   now: datetime.datetime | None = None) -> list[dict]:
    """Rows {"week": the Monday (a date, UTC), "organization_id",
    "category", "opened", "closed"} of the `weeks` weeks up to `now`
    (this one included) that had any activity, oldest first."""
    end = now or datetime.datetime.now(datetime.timezone.utc)
    start = _monday(end) - datetime.timedelta(weeks=weeks - 1)
    events = sa.union_all(
        _events(Issue.created, True, viewer, organization_id, start, end),
        _events(Issue.resolved_at, False, viewer, organization_id, start,
                end)).subquery()
    keys = (events.c.week, events.c.organization_id, events.c.category)
    statement = sa.select(
        *keys, sa.func.sum(events.c.opened).label("opened"),
        sa.func.sum(events.c.closed).label("closed")
    ).group_by(*keys).order_by(*keys)
    return [{"week": row.week, "organization_id": row.organization_id,
             "category": row.category, "opened": int(row.opened),
             "closed": int(row.closed)}
            for row in model.Session.execute(statement)]
