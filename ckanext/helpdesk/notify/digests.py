"""Daily digests and weekly summaries for each organization's editors
and admins, written by `ckan helpdesk remind` (run daily from cron).

The digest lists the organization's open issues that need the publisher:
those past the organization's response target (logic/targets.py), those
reported in the last day, and the others still without a first public
response. The weekly summary (on Mondays, or when asked) counts the issues
opened and closed in the last week, those still open and those past
target. Both list only what their recipient may see (visibility.py), and
nothing goes when there is nothing to tell.

Each is a Notification of an organization (no issue) and goes the way of
every help desk email (notify/jobs.py): claimed while it is sent, retried
when the mail server fails, checked again just before it goes. A
recipient gets at most one of each kind per organization and day: the
row is claimed by inserting it against a unique index on (kind, user,
organization, day), so `remind` run twice, or on two nodes at once, writes
and sends it once. The figures are those of the moment `remind` ran (the
row's `created`), whenever a retry sends it.

Users opt out of digests (not of the email about their issues) from the
digest's unsubscribe link or their notification preferences; opting out
of all help desk email stops digests too.
"""
from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import targets
from ckanext.helpdesk.logic.response_time import _first_response
from ckanext.helpdesk.model import (CLOSED_STATUSES, DIGEST_KINDS,
                                    OPEN_STATUSES, DigestOptOut, Issue,
                                    Notification, NotificationOptOut, utcnow)

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)
# Issues listed per section of a digest; the rest are counted.
LISTED = 50
RECIPIENT_CAPACITIES = visibility.MANAGER_CAPACITIES


@dataclasses.dataclass
class Section:
    """Issues of one kind in a digest: the first LISTED, and how many."""
    name: str
    issues: list
    count: int


# -- who ----------------------------------------------------------------------

def wants_digests(user_id: str) -> bool:
    return model.Session.get(DigestOptOut, user_id) is None


def set_wants_digests(user_id: str, wanted: bool) -> None:
    """A user's switch for digests and weekly summaries. Not committed."""
    table = DigestOptOut.__table__
    if wanted:
        model.Session.execute(sa.delete(table).where(
            table.c.user_id == user_id))
    else:
        model.Session.execute(pg_insert(table).values(
            user_id=user_id, created=utcnow()).on_conflict_do_nothing())


def _opted_out_users():
    """A sub-select of the users who want no digest: opted out of digests
    or of all help desk email."""
    return sa.union(
        sa.select(DigestOptOut.user_id),
        sa.select(NotificationOptOut.user_id).where(
            NotificationOptOut.issue_id.is_(None),
            NotificationOptOut.user_id.is_not(None)))


def recipients():
    """(organization id, capacity, user) of every active editor and admin
    (with an address) of an active organization who wants digests."""
    member = model.Member
    statement = sa.select(member.group_id, member.capacity, model.User).join(
        model.User, model.User.id == member.table_id).join(
        model.Group, model.Group.id == member.group_id).where(
        member.table_name == "user", member.state == "active",
        member.capacity.in_(RECIPIENT_CAPACITIES),
        model.Group.is_organization.is_(True),
        model.Group.state == "active",
        model.User.state == "active", model.User.email.is_not(None),
        model.User.email != "",
        model.User.id.not_in(_opted_out_users()),
    ).order_by(member.group_id, model.User.name)
    return model.Session.execute(statement).all()


def opted_out(user_id: str) -> bool:
    """Whether the user wants no digest (see _opted_out_users)."""
    return bool(model.Session.execute(sa.select(
        sa.literal(user_id).in_(_opted_out_users()))).scalar())


# -- what ---------------------------------------------------------------------

def _owned_by(organization_id, viewer):
    """Issues of the organization the viewer may see."""
    return lambda statement: visibility.visible_issues(
        statement, viewer).where(
        visibility.owning_organization() == organization_id)


def sections(organization_id: str, viewer: visibility.Viewer,
             as_of: datetime.datetime) -> list[Section]:
    """The digest's open issues at `as_of`, each in one section: past
    target, new (reported in the last day), unanswered (no first public
    response yet)."""
    past = targets.past_target(as_of)
    new = Issue.created >= as_of - DAY
    unanswered = _first_response(visibility.owning_organization()).is_(None)
    section = sa.case((past, "past_target"), (new, "new"),
                      else_="unanswered")
    dataset = model.Package
    found = _owned_by(organization_id, viewer)(sa.select(
        section.label("section"), Issue.id, Issue.number, Issue.title,
        Issue.created, Issue.dataset_id,
        dataset.name.label("dataset_name"),
        dataset.title.label("dataset_title"),
        sa.func.count().over(partition_by=section).label("count"),
        sa.func.row_number().over(partition_by=section,
                                  order_by=(Issue.created, Issue.id)
                                  ).label("rank"),
    ).select_from(Issue)).where(
        Issue.status.in_(OPEN_STATUSES), Issue.created < as_of,
        sa.or_(new, unanswered)).subquery()
    rows = model.Session.execute(sa.select(found).where(
        found.c.rank <= LISTED).order_by(found.c.created, found.c.id)).all()
    organization_name = model.Session.execute(sa.select(
        model.Group.name).where(model.Group.id == organization_id)).scalar()
    listed = {}
    for row in rows:
        found_section = listed.setdefault(
            row.section, Section(row.section, [], row.count))
        found_section.issues.append(dict(
            row._mapping, organization_name=organization_name))
    return [listed[name] for name in ("past_target", "new", "unanswered")
            if name in listed]


def weekly_figures(organization_id: str, viewer: visibility.Viewer,
                   as_of: datetime.datetime) -> dict:
    """{opened, closed, open, past_target} of the week before `as_of`."""
    since = as_of - WEEK
    is_open = Issue.status.in_(OPEN_STATUSES)
    statement = _owned_by(organization_id, viewer)(sa.select(
        sa.func.count().filter(Issue.created >= since),
        sa.func.count().filter(Issue.status.in_(CLOSED_STATUSES),
                               Issue.resolved_at >= since,
                               Issue.resolved_at < as_of),
        sa.func.count().filter(is_open),
        sa.func.count().filter(is_open, targets.past_target(as_of)),
    ).select_from(Issue)).where(Issue.created < as_of)
    opened, closed, still_open, past = model.Session.execute(
        statement).one()
    return {"opened": opened, "closed": closed, "open": still_open,
            "past_target": past}


def _has_news(kind, organization_id, viewer, as_of):
    if kind == "digest":
        return bool(sections(organization_id, viewer, as_of))
    return any(weekly_figures(organization_id, viewer, as_of).values())


# -- writing ------------------------------------------------------------------

def write(now: datetime.datetime | None = None,
          weekly: bool | None = None) -> list[str]:
    """Write (and commit) today's digests, and the weekly summaries on a
    Monday or when `weekly`; the ids of the notifications this call
    claimed, to send. Those written before today (by an earlier run or
    another node) are not written again."""
    if not tk.config["ckanext.helpdesk.notify.enabled"]:
        return []
    now = now or utcnow()
    day = now.astimezone(datetime.timezone.utc).date()
    if weekly is None:
        weekly = day.weekday() == 0
    kinds = DIGEST_KINDS if weekly else ("digest",)
    claimed = []
    for organization_id, capacity, user in recipients():
        viewer = visibility.Viewer(user.id, user.sysadmin)
        for kind in kinds:
            if _has_news(kind, organization_id, viewer, now):
                claimed += _claim(kind, organization_id, capacity, user, day,
                                  now)
    model.Session.commit()
    return claimed


def _claim(kind, organization_id, capacity, user, day, now):
    """The new row's id, or nothing when this digest exists already."""
    table = Notification.__table__
    statement = pg_insert(table).values(
        id=make_uuid(), kind=kind, reason=capacity, user_id=user.id,
        email=user.email, recipient_name=user.display_name,
        organization_id=organization_id, digest_day=day, status="pending",
        attempts=0, next_attempt_at=utcnow(), created=now,
    ).on_conflict_do_nothing(
        index_elements=[table.c.kind, table.c.user_id,
                        table.c.organization_id, table.c.digest_day],
        index_where=table.c.digest_day.is_not(None),
    ).returning(table.c.id)
    return list(model.Session.execute(statement).scalars())


# -- the email ----------------------------------------------------------------

def template_vars(notification, user) -> dict:
    """What digest.{txt,html} show, as seen by the recipient."""
    viewer = visibility.Viewer(user.id if user else None,
                               bool(user and user.sysadmin))
    organization = model.Group.get(notification.organization_id)
    as_of = notification.created
    weekly = notification.kind == "weekly_summary"
    return {
        "kind": notification.kind,
        "organization_title": organization.display_name,
        "queue_url": tk.url_for("helpdesk_queue.organization",
                                id=organization.name, _external=True),
        "past_target_url": tk.url_for(
            "helpdesk_queue.organization", id=organization.name,
            past_target=1, _external=True),
        "target_days": targets.response_targets(
            [organization.id])[organization.id],
        "sections": ([] if weekly else sections(
            organization.id, viewer, as_of)),
        "figures": (weekly_figures(organization.id, viewer, as_of)
                    if weekly else None),
        "day": notification.digest_day,
    }
