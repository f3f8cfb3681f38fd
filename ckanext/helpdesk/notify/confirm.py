"""Anonymous addresses confirm before the portal emails them anything else.

A visitor who reports or comments without signing in gives an address the
portal has never seen answer. Until its owner follows the link of the
confirmation email, that address gets nothing but that email (at most one
per ckanext.helpdesk.notify.confirmation_interval minutes, however many
times it is given), and is not subscribed. Following the link subscribes it
to the issue, and the issue's email flows from then on.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.helpdesk.model import (EmailConfirmation, Notification,
                                    Subscription, utcnow)
from ckanext.helpdesk.notify import optout, tokens


def _row(issue_id, email):
    return sa.select(EmailConfirmation).where(
        EmailConfirmation.issue_id == issue_id,
        sa.func.lower(EmailConfirmation.email) == email.lower())


def is_confirmed(issue_id, email):
    return model.Session.execute(_row(issue_id, email).where(
        EmailConfirmation.confirmed_at.isnot(None)).limit(1)
    ).first() is not None


def request(issue, email):
    """Record that `email` was given on the issue; True when it still has
    to be confirmed (the caller writes the confirmation email). Not
    committed."""
    if is_confirmed(issue.id, email):
        return False
    table = EmailConfirmation.__table__
    # Concurrent reports with one address meet on the unique index.
    model.Session.execute(pg_insert(table).values(
        id=make_uuid(), issue_id=issue.id, email=email, created=utcnow()
    ).on_conflict_do_nothing())
    return True


def new_token(issue_id, email):
    """A fresh token for the confirmation email being sent (the link of an
    earlier one stops working)."""
    row = model.Session.execute(_row(issue_id, email)).scalar_one()
    token, row.token_hash = tokens.new()
    row.token_created = utcnow()
    return token


def find(token):
    """The confirmation of a link's token, or None."""
    return model.Session.execute(sa.select(EmailConfirmation).where(
        EmailConfirmation.token_hash == tokens.digest(token))
    ).scalar_one_or_none()


def expired(confirmation):
    return tokens.expired(confirmation.token_created)


def confirm(confirmation):
    """The address follows the issue from now on. Not committed."""
    if confirmation.confirmed_at is None:
        confirmation.confirmed_at = utcnow()
    subscribed = model.Session.execute(sa.select(Subscription.id).where(
        Subscription.issue_id == confirmation.issue_id,
        optout.of_person(Subscription, None, confirmation.email)).limit(1))
    if subscribed.first() is None:
        model.Session.add(Subscription(id=make_uuid(),
                                       issue_id=confirmation.issue_id,
                                       email=confirmation.email))


def sent_recently(email):
    """Whether a confirmation email went to this address within the
    interval. Holds a lock on the address until the caller's transaction
    ends: jobs on several workers sending to one address at once queue
    here, and the later one sees the earlier one's email."""
    address = email.lower()
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtext("helpdesk confirm " + address))))
    since = utcnow() - datetime.timedelta(
        minutes=tk.config["ckanext.helpdesk.notify.confirmation_interval"])
    return model.Session.execute(sa.select(Notification.id).where(
        Notification.kind == "confirm_address",
        sa.func.lower(Notification.email) == address,
        Notification.status == "sent",
        Notification.sent_at >= since).limit(1)).first() is not None
