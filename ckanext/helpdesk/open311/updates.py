"""FixMyStreet's service request updates extension (servicerequestupdates):
what happened to requests since, and updates other systems post.

An update is a public reply on an issue, or a change of its status; a
reply posted with a status change (by the same person within a couple of
seconds) is one update, under the reply's id, with the new status. Only
what every visitor may see is listed (visibility.py's rule for a visitor:
no private dataset's or hidden issue, no internal note or hidden reply),
whoever asks, oldest first.

Statuses are FixMyStreet's extended ones (STATUSES below); the help desk's
own is in ``external_status_code``. Posted statuses are read the other
way round (POSTED_STATUSES); OPEN and CLOSED keep an issue's status when
it is already open (closed), and otherwise reopen it as new (close it as
resolved).
"""
import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import (CLOSED_STATUSES, OPEN_STATUSES,
                                    REOPENED_STATUS, Comment, Event, Issue,
                                    Open311Update)
from ckanext.helpdesk.open311 import errors, mapping, render

# The help desk's statuses as FixMyStreet's extended statuses.
STATUSES = {
    "new": "OPEN",
    "acknowledged": "INVESTIGATING",
    "in_progress": "IN_PROGRESS",
    "resolved": "FIXED",
    "wont_fix": "NO_FURTHER_ACTION",
    "duplicate": "DUPLICATE",
}
# Posted statuses (any case) as the help desk's; None: OPEN and CLOSED,
# which depend on the issue's status (see posted_status).
POSTED_STATUSES = {
    "OPEN": None, "CLOSED": None, "REOPEN": REOPENED_STATUS,
    "FOR_TRIAGE": "new", "INVESTIGATING": "acknowledged",
    "ACTION_SCHEDULED": "in_progress", "IN_PROGRESS": "in_progress",
    "INTERNAL_REFERRAL": "in_progress", "FIXED": "resolved",
    "DUPLICATE": "duplicate", "NOT_COUNCILS_RESPONSIBILITY": "wont_fix",
    "NO_FURTHER_ACTION": "wont_fix", "CANCELLED": "wont_fix",
}
# A reply this close before a status change by its author goes with it.
PAIRING = datetime.timedelta(seconds=2)
REQUIRED = ("service_request_id", "update_id", "status", "description",
            "updated_datetime")
UPDATE_ID_LENGTH = 200


# -- GET ----------------------------------------------------------------------

def _public(statement):
    """`statement` (joined to Issue) limited to what a visitor sees."""
    return visibility.visible_issues(statement, visibility.Viewer())


def _public_reply(comment):
    return sa.and_(comment.internal.is_(False), comment.hidden.is_(False))


def _status_changes():
    return sa.select(Event).where(Event.kind == "status").subquery()


def _replies_statement(start, end):
    """Public replies, except those that go with a status change."""
    change = _status_changes()
    with_change = sa.exists().where(
        change.c.issue_id == Comment.issue_id,
        change.c.actor_id == Comment.author_id,
        change.c.created.between(Comment.created, Comment.created + PAIRING))
    before, after = _status_changes(), _status_changes()
    status = sa.func.coalesce(
        sa.select(before.c.new_value).where(
            before.c.issue_id == Comment.issue_id,
            before.c.created <= Comment.created,
        ).order_by(before.c.created.desc()).limit(1).scalar_subquery(),
        sa.select(after.c.old_value).where(
            after.c.issue_id == Comment.issue_id,
            after.c.created > Comment.created,
        ).order_by(after.c.created).limit(1).scalar_subquery(),
        Issue.status)
    return _public(sa.select(
        Comment.id.label("update_id"), Comment.issue_id,
        status.label("status"), Comment.created.label("moment"),
        Comment.body.label("description"),
    ).select_from(Comment).join(Issue, Issue.id == Comment.issue_id)).where(
        _public_reply(Comment), ~with_change,
        Comment.created.between(start, end))


def _changes_statement(start, end):
    """Status changes, each with the public reply posted with it."""
    reply = sa.select(Comment.id, Comment.body).where(
        Comment.issue_id == Event.issue_id,
        Comment.author_id == Event.actor_id, _public_reply(Comment),
        Comment.created.between(Event.created - PAIRING, Event.created),
    ).order_by(Comment.created.desc()).limit(1).lateral()
    return _public(sa.select(
        sa.func.coalesce(reply.c.id, Event.id).label("update_id"),
        Event.issue_id, Event.new_value.label("status"),
        Event.created.label("moment"),
        reply.c.body.label("description"),  # None: a change alone
    ).select_from(Event).join(Issue, Issue.id == Event.issue_id).outerjoin(
        reply, sa.true())).where(
        Event.kind == "status", Event.created.between(start, end))


def updates(params, now):
    """The page of public updates the parameters ask for (start_date,
    end_date as for requests: at most 90 days, by default the last 90
    days; page, page_size: at most 1,000), oldest first."""
    start, end = mapping.date_window(params, now)
    page, page_size = mapping.paging(params)
    union = sa.union_all(_replies_statement(start, end),
                         _changes_statement(start, end)).subquery()
    rows = model.Session.execute(sa.select(union).order_by(
        union.c.moment, union.c.update_id).limit(page_size).offset(
        (page - 1) * page_size)).all()
    return [{
        "update_id": row.update_id,
        "service_request_id": row.issue_id,
        "status": STATUSES.get(row.status, row.status),
        "updated_datetime": render.w3c_datetime(row.moment),
        "description": row.description,
        "media_url": None,
        "external_status_code": row.status,
    } for row in rows]


# -- POST ---------------------------------------------------------------------

def posted_fields(params):
    """The POST's fields, checked: 400 naming each missing or bad one."""
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        raise errors.bad_request(*(tk._("{0} is required").format(name)
                                   for name in missing))
    problems = []
    if params["status"].upper() not in POSTED_STATUSES:
        problems.append(tk._("status '{0}' is not one of {1}").format(
            params["status"], ", ".join(POSTED_STATUSES)))
    if len(params["update_id"]) > UPDATE_ID_LENGTH:
        problems.append(tk._("update_id is limited to {0} characters")
                        .format(UPDATE_ID_LENGTH))
    try:
        render.parse_w3c_datetime(params["updated_datetime"])
    except (ValueError, OverflowError):
        problems.append(tk._(
            "updated_datetime must be a W3C date-time with a time zone, "
            "e.g. 2010-01-01T00:00:00Z"))
    if problems:
        raise errors.bad_request(*problems)
    return {name: params[name] for name in REQUIRED}


def posted_status(posted, current):
    """The help desk status a posted status asks for, given the issue's
    `current` one."""
    posted = posted.upper()
    if posted == "OPEN":
        return current if current in OPEN_STATUSES else REOPENED_STATUS
    if posted == "CLOSED":
        return current if current in CLOSED_STATUSES else "resolved"
    return POSTED_STATUSES[posted]


def claim(user_id, update_id, issue_id):
    """Claim the poster's update_id, in the transaction that posts the
    update; False when it was posted before (a concurrent second post
    waits here for the first to commit)."""
    return model.Session.execute(pg_insert(Open311Update).values(
        user_id=user_id, external_id=update_id, issue_id=issue_id
    ).on_conflict_do_nothing().returning(Open311Update.user_id)
    ).first() is not None


def posted_before(user_id, update_id):
    """The id of the reply the poster's update became."""
    found = model.Session.execute(sa.select(Open311Update.comment_id).where(
        Open311Update.user_id == user_id,
        Open311Update.external_id == update_id)).scalar()
    model.Session.rollback()  # the claim that found it
    return found


def record(user_id, update_id, comment_id):
    """Keep the reply the update became, and commit it all."""
    model.Session.execute(sa.update(Open311Update).where(
        Open311Update.user_id == user_id,
        Open311Update.external_id == update_id).values(
        comment_id=comment_id))
    model.Session.commit()


def latest_reply(issue_id, user_id):
    """The id of the user's latest reply on the issue (the one just
    posted with a change, in this transaction)."""
    return model.Session.execute(sa.select(Comment.id).where(
        Comment.issue_id == issue_id, Comment.author_id == user_id
    ).order_by(Comment.created.desc()).limit(1)).scalar()
