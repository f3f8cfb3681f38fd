"""The queries of the statistics pages (helpdesk_stats): a handful of
aggregate statements, whatever the number of issues, organizations or
categories, each limited by visibility.visible_issues to what the viewer
may see (a private dataset's issues count for its organization's members
only) and never counting hidden issues (logic/weekly.public_work).

Over a window of the last 30, 90 or 365 days (issues reported in it):

- time to first public response (logic/response_time._first_response:
  the publisher's first shown, non-internal reply or status, assignment or
  duplicate change) and time to resolution (report to resolved_at of the
  issues closed now), median and 90th percentile (PostgreSQL's
  percentile_cont, interpolating), per organization, per category and in
  all, in one statement with GROUPING SETS;
- the share answered within the organization's target (logic/targets.py):
  of the issues answered, or unanswered past their target, those answered
  by it (an issue still within its target and unanswered is not yet
  counted either way).

Whatever the window: the weekly figures of the last 52 weeks
(logic/weekly.py), the open backlog by age, the datasets with the most
open issues and the most +1s on them, and the open data requests with the
most +1s.

Figures are computed on each request, from the database as it is: no
cache, so they are never stale (bench/bench_stats.py measures the cost).
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import response_time, targets, weekly
from ckanext.helpdesk.model import CLOSED_STATUSES, OPEN_STATUSES, Issue, \
    utcnow

WINDOWS = (30, 90, 365)  # days
DEFAULT_WINDOW = 90
WEEKS = 52
# The open backlog's age groups: (key, under so many days); "older" after.
AGES = (("week", 7), ("month", 30), ("quarter", 91))
TOP = 10  # datasets and data requests listed
DATA_REQUEST = "data-request"
# The organization table's columns it sorts by ("-name": reversed).
ORGANIZATION_SORTS = ("name", "reported", "closed", "open",
                      "response_median", "response_p90",
                      "resolution_median", "resolution_p90",
                      "within_target")
SORTS = ORGANIZATION_SORTS + tuple("-" + key for key in ORGANIZATION_SORTS)


def statistics(viewer: visibility.Viewer, organization_id: str | None = None,
               window: int = DEFAULT_WINDOW, sort: str = "name",
               now: datetime.datetime | None = None) -> dict[str, Any]:
    """Every figure of a statistics page: the portal's, or one
    organization's when `organization_id` (an id) is given."""
    now = now or utcnow()
    organizations = _organizations(organization_id)
    days = targets.response_targets(list(organizations))
    timing = _timing(viewer, organization_id, window, now, days)
    backlog = _backlog(viewer, organization_id, now)
    # Organizations without issues (in the window, or open) have every
    # figure too: counts of 0, times and shares of None.
    rows = [dict(organization,
                 **timing["organizations"].get(key, _timing_values(None)),
                 **backlog["organizations"].get(key, _no_backlog()),
                 target_days=days.get(key))
            for key, organization in organizations.items()]
    return {
        "window": window, "windows": list(WINDOWS), "now": now.isoformat(),
        "weekly": [dict(row, week=row["week"].isoformat()) for row in
                   weekly.weekly_figures(viewer, organization_id, WEEKS, now)],
        "totals": dict(timing["all"], **backlog["all"]),
        "categories": timing["categories"],
        "organizations": sort_organizations(rows, sort), "sort": sort,
        "datasets": _datasets(viewer, organization_id),
        "requested": _requested(viewer, organization_id),
    }


def sort_organizations(rows: list[dict[str, Any]],
                       sort: str) -> list[dict[str, Any]]:
    """The rows by `sort` ("-key" descending), names breaking ties; rows
    without the figure last either way."""
    key = sort.lstrip("-")
    by_name = sorted(rows,
                     key=lambda row: (row["title"] or row["name"]).lower())
    if key == "name":
        return by_name[::-1] if sort.startswith("-") else by_name
    present = [row for row in by_name if row.get(key) is not None]
    missing = [row for row in by_name if row.get(key) is None]
    return sorted(present, key=lambda row: row[key],
                  reverse=sort.startswith("-")) + missing


def _organizations(
    organization_id: str | None
) -> dict[str, dict[str, Any]]:
    """{id: {"id", "name", "title"}} of the active organizations (or the
    one), by title."""
    group = model.Group
    statement = sa.select(group.id, group.name, group.title).where(
        group.is_organization.is_(True), group.state == "active")
    if organization_id is not None:
        statement = statement.where(group.id == organization_id)
    return {row.id: {"id": row.id, "name": row.name, "title": row.title}
            for row in model.Session.execute(statement.order_by(group.title))}


def _seconds(later: Any, earlier: Any) -> ColumnElement[Any]:
    return sa.func.extract("epoch", later - earlier)


def _timing(viewer: visibility.Viewer, organization_id: str | None,
            window: int, now: datetime.datetime,
            days: dict[str, int]) -> dict[str, Any]:
    """Times to first response and to resolution, counts and the share
    within target of the issues reported in the window: per organization,
    per category and in all (one statement)."""
    organization = visibility.owning_organization()
    default_days = tk.config.get("ckanext.helpdesk.response_target_days")
    target = sa.literal(default_days)
    statement = weekly.public_work([
        organization.label("organization_id"), Issue.category,
        Issue.created,
        response_time._first_response(organization).label("responded"),
        sa.case((Issue.status.in_(CLOSED_STATUSES), Issue.resolved_at)
                ).label("closed_at"),
    ], viewer, organization_id).where(
        Issue.created >= now - datetime.timedelta(days=window),
        Issue.created <= now)
    if days:
        # Each organization's target, joined from a VALUES list.
        listed = sa.values(sa.column("organization_id", sa.UnicodeText),
                           sa.column("days", sa.Integer),
                           name="helpdesk_targets").data(list(days.items()))
        statement = statement.outerjoin(
            listed, listed.c.organization_id == organization)
        target = sa.func.coalesce(listed.c.days, default_days)
    issues = statement.add_columns(
        targets.add_working_days(Issue.created, target).label("due")
    ).subquery()
    answered = issues.c.responded.is_not(None)
    response = _seconds(issues.c.responded, issues.c.created)
    resolution = _seconds(issues.c.closed_at, issues.c.created)
    figures = sa.select(
        issues.c.organization_id, issues.c.category,
        sa.func.grouping(issues.c.organization_id).label("all_organizations"),
        sa.func.grouping(issues.c.category).label("all_categories"),
        sa.func.count().label("reported"),
        sa.func.count(issues.c.closed_at).label("closed"),
        sa.func.count(issues.c.responded).label("answered"),
        sa.func.percentile_cont(0.5).within_group(response)
        .label("response_median"),
        sa.func.percentile_cont(0.9).within_group(response)
        .label("response_p90"),
        sa.func.percentile_cont(0.5).within_group(resolution)
        .label("resolution_median"),
        sa.func.percentile_cont(0.9).within_group(resolution)
        .label("resolution_p90"),
        sa.func.count().filter(sa.and_(
            answered, issues.c.responded <= issues.c.due))
        .label("answered_in_time"),
        sa.func.count().filter(sa.or_(answered, issues.c.due <= now))
        .label("due"),
    ).group_by(sa.text(
        "GROUPING SETS ((organization_id), (category), ())"))
    result: dict[str, Any] = {"organizations": {}, "categories": [],
                              "all": {}}
    for row in model.Session.execute(figures):
        values = _timing_values(row)
        if not row.all_organizations:
            result["organizations"][row.organization_id] = values
        elif not row.all_categories:
            result["categories"].append(dict(values, category=row.category))
        else:
            result["all"] = values
    if not result["all"]:
        result["all"] = _timing_values(None)
    result["categories"].sort(key=lambda row: row["category"])
    return result


def _timing_values(row: Any) -> dict[str, Any]:
    def number(key: str) -> float | None:
        value = getattr(row, key, None)
        return None if value is None else float(value)

    values = {key: getattr(row, key, 0) for key in (
        "reported", "closed", "answered", "answered_in_time", "due")}
    values.update({key: number(key) for key in (
        "response_median", "response_p90", "resolution_median",
        "resolution_p90")})
    values["within_target"] = (values["answered_in_time"] / values["due"]
                               if values["due"] else None)
    return values


def _backlog(viewer: visibility.Viewer, organization_id: str | None,
             now: datetime.datetime) -> dict[str, Any]:
    """The open issues by age group, per organization and in all (one
    statement)."""
    organization = visibility.owning_organization()
    bounds = [(key, now - datetime.timedelta(days=days))
              for key, days in AGES]
    groups, previous = [], None
    for key, since in bounds:
        condition = Issue.created > since
        if previous is not None:
            condition = sa.and_(condition, Issue.created <= previous)
        groups.append(sa.func.count().filter(condition).label(key))
        previous = since
    groups.append(sa.func.count().filter(Issue.created <= previous)
                  .label("older"))
    statement = weekly.public_work(
        [organization.label("organization_id"),
         sa.func.grouping(organization).label("all_organizations"),
         sa.func.count().label("open"), *groups],
        viewer, organization_id,
    ).where(Issue.status.in_(OPEN_STATUSES)).group_by(
        sa.func.rollup(organization))
    keys = ["open"] + [key for key, _days in AGES] + ["older"]
    result = {"organizations": {}, "all": _no_backlog()}
    for row in model.Session.execute(statement):
        values = {"open": row.open,
                  "ages": {key: getattr(row, key) for key in keys[1:]}}
        if row.all_organizations:
            result["all"] = values
        else:
            result["organizations"][row.organization_id] = values
    return result


def _no_backlog() -> dict[str, Any]:
    return {"open": 0, "ages": {key: 0 for key, _days in AGES + (
        ("older", None),)}}


def _datasets(viewer: visibility.Viewer,
              organization_id: str | None) -> dict[str, list[dict[str, Any]]]:
    """{"most_open": [...], "most_votes": [...]}: the TOP active datasets
    by open issues and by +1s on their open issues (one statement)."""
    package = model.Package
    per_dataset = weekly.public_work(
        [Issue.dataset_id, package.name, package.title,
         sa.func.count().label("open"),
         sa.func.sum(Issue.vote_count).label("votes")],
        viewer, organization_id,
    ).where(Issue.status.in_(OPEN_STATUSES), package.state == "active"
            ).group_by(Issue.dataset_id, package.name, package.title
                       ).subquery()
    ranked = sa.select(
        per_dataset,
        sa.func.row_number().over(order_by=(
            per_dataset.c.open.desc(), per_dataset.c.name)).label("by_open"),
        sa.func.row_number().over(order_by=(
            per_dataset.c.votes.desc(), per_dataset.c.name)
        ).label("by_votes"),
    ).subquery()
    statement = sa.select(ranked).where(
        sa.or_(ranked.c.by_open <= TOP, ranked.c.by_votes <= TOP))
    rows = [dict(row._mapping, votes=int(row.votes))
            for row in model.Session.execute(statement)]
    return {
        "most_open": sorted([row for row in rows if row["by_open"] <= TOP],
                            key=lambda row: row["by_open"]),
        "most_votes": sorted([row for row in rows
                              if row["by_votes"] <= TOP and row["votes"]],
                             key=lambda row: row["by_votes"]),
    }


def _requested(viewer: visibility.Viewer,
               organization_id: str | None) -> list[dict[str, Any]]:
    """The TOP open data requests by +1s (then the oldest first)."""
    group = model.Group
    statement = weekly.public_work(
        [Issue.id, Issue.number, Issue.title, Issue.vote_count,
         group.name.label("organization_name"),
         group.title.label("organization_title")],
        viewer, organization_id,
    ).join(group, group.id == Issue.organization_id).where(
        Issue.category == DATA_REQUEST, Issue.dataset_id.is_(None),
        Issue.status.in_(OPEN_STATUSES), Issue.vote_count > 0,
    ).order_by(Issue.vote_count.desc(), Issue.created, Issue.id).limit(TOP)
    return [dict(row._mapping) for row in model.Session.execute(statement)]
