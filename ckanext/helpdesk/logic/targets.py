"""Response targets: each organization promises a first public response
within a whole number of working days (Monday to Friday, UTC; no holiday
calendar). Its admins set it on the organization's help desk settings
page; without one, the portal's ckanext.helpdesk.response_target_days
holds.

An issue is past its target when it has no first public response (as
logic/response_time.py defines it) and the moment it is looked at is past
its report plus the target in working days. The queues mark such issues
and the daily digest lists them.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.expression import ColumnElement

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic.response_time import _first_response
from ckanext.helpdesk.model import Issue, OrganizationSettings, utcnow

# The targets an admin may set, in working days.
MIN_TARGET_DAYS = 1
MAX_TARGET_DAYS = 60
_WEEK = 5  # working days


def default_target() -> int:
    return tk.config["ckanext.helpdesk.response_target_days"]


def response_targets(organization_ids: list[str]) -> dict[str, int]:
    """Each organization's target in working days: its own setting, else
    the declared option ckanext.helpdesk.response_target_days."""
    targets = dict.fromkeys(organization_ids, default_target())
    if organization_ids:
        statement = sa.select(
            OrganizationSettings.organization_id,
            OrganizationSettings.response_target_days,
        ).where(OrganizationSettings.organization_id.in_(organization_ids),
                OrganizationSettings.response_target_days.is_not(None))
        targets.update(model.Session.execute(statement).all())
    return targets


def own_target(organization_id: str) -> int | None:
    """The target the organization set itself (None: the default)."""
    return model.Session.execute(sa.select(
        OrganizationSettings.response_target_days).where(
        OrganizationSettings.organization_id == organization_id)).scalar()


def set_target(organization_id: str, days: int | None) -> None:
    """Set (None: clear) the organization's target. Not committed."""
    save_settings(organization_id, response_target_days=days)


def save_settings(organization_id: str, **values: Any) -> None:
    """Set some of the organization's help desk settings (columns of
    OrganizationSettings), making its row if it has none. Not committed."""
    table = OrganizationSettings.__table__
    values["updated"] = utcnow()
    statement = pg_insert(table).values(organization_id=organization_id,
                                        **values)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.organization_id], set_=values))


def add_working_days(moment: Any, days: Any) -> ColumnElement[Any]:
    """SQL: `moment` (a timestamptz expression or value) plus `days` (an
    integer expression or value) working days, as a timestamptz. Days are
    counted in UTC; a moment on a Saturday or Sunday counts from the next
    Monday 00:00. Friday 10:00 plus 1 is Monday 10:00; Saturday 10:00
    plus 1 is Tuesday 00:00."""
    moment = sa.cast(moment, sa.DateTime(timezone=True))
    days = sa.cast(days, sa.Integer)
    local = sa.func.timezone("UTC", moment)  # a timestamp, in UTC
    midnight = sa.func.date_trunc("day", local)
    weekday = sa.cast(sa.extract("isodow", local), sa.Integer)  # Monday 1
    start = sa.case(
        (weekday == 6, midnight + sa.func.make_interval(0, 0, 0, 2)),
        (weekday == 7, midnight + sa.func.make_interval(0, 0, 0, 1)),
        else_=local)
    start_weekday = sa.case((weekday > _WEEK, 1), else_=weekday)
    weeks = sa.cast(sa.func.div(days, _WEEK), sa.Integer)
    rest = sa.func.mod(days, _WEEK)
    # Crossing a weekend on the way adds it.
    weekend = sa.case((start_weekday + rest > _WEEK, 2), else_=0)
    shift = sa.func.make_interval(0, 0, weeks, rest + weekend)
    return sa.func.timezone("UTC", start + shift)


def target_days(organization_id: Any) -> ColumnElement[Any]:
    """SQL: the target, in working days, of the organization
    `organization_id` (an expression, e.g. the owner of an issue)."""
    own = sa.select(OrganizationSettings.response_target_days).where(
        OrganizationSettings.organization_id == organization_id
    ).scalar_subquery()
    return sa.func.coalesce(own, default_target())


def due() -> ColumnElement[Any]:
    """SQL, over Issue and `visibility.join_dataset()`: when the issue's
    first public response is due by its organization's target."""
    return add_working_days(
        Issue.created, target_days(visibility.owning_organization()))


def past_target(
    now: datetime.datetime | None = None
) -> ColumnElement[Any]:
    """SQL, over Issue and `visibility.join_dataset()`: true for the issues
    with no first public response that are past due at `now`."""
    organization = visibility.owning_organization()
    return sa.and_(_first_response(organization).is_(None),
                   due() < (now or utcnow()))
