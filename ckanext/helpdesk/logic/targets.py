"""Organizations' response targets: a whole number of working days
(Monday to Friday, no holiday calendar) to the first public response.

This version knows only the declared option
ckanext.helpdesk.response_target_days (every organization keeps the
portal's target); the statistics read targets through these two names
alone, so per-organization settings can replace it without touching them.
"""
from __future__ import annotations

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

SATURDAY = 6  # ISO day of the week: Monday 1 .. Sunday 7
WORKING_DAYS_A_WEEK = 5


def response_targets(organization_ids: list[str]) -> dict[str, int]:
    """Each organization's target in working days."""
    days = tk.config.get("ckanext.helpdesk.response_target_days")
    return {organization_id: days for organization_id in organization_ids}


def add_working_days(moment, days):
    """SQL: `moment` (a timestamp with time zone) plus `days` (a number or
    an integer expression) working days, counted in UTC. A moment on a
    Saturday or Sunday counts from the next Monday 00:00: a report sent
    on Saturday with a target of 1 is due on Tuesday 00:00."""
    utc = sa.func.timezone("UTC", moment)
    weekday = sa.extract("isodow", utc)
    start = sa.case(
        (weekday >= SATURDAY, sa.func.date_trunc("day", utc)
         + sa.func.make_interval(0, 0, 0, sa.cast(8 - weekday, sa.Integer))),
        else_=utc)
    days = sa.cast(days, sa.Integer)
    rest = days % WORKING_DAYS_A_WEEK
    # Days past Friday carry over the weekend.
    weekend = sa.case(
        (sa.extract("isodow", start) + rest >= SATURDAY, 2), else_=0)
    calendar_days = (days / WORKING_DAYS_A_WEEK) * 7 + rest + weekend
    return sa.func.timezone(
        "UTC", start + sa.func.make_interval(0, 0, 0, calendar_days))
