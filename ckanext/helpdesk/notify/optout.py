"""Opting out: of one issue (the unsubscribe link) or of all help desk
email (a user's preference)."""
import sqlalchemy as sa

import ckan.model as model
from ckan.model.types import make_uuid

from ckanext.helpdesk.model import NotificationOptOut, Subscription


def of_person(model_class, user_id, email):
    """The condition on `model_class`'s rows of one person: a user, or an
    address (whatever its case) given without an account."""
    if user_id:
        return model_class.user_id == user_id
    return sa.and_(model_class.user_id.is_(None),
                   sa.func.lower(model_class.email) == email.lower())


def _opt_outs(issue_id, user_id, email):
    """The conditions on the person's opt-outs of the issue (of all help
    desk email, without one)."""
    return (NotificationOptOut.issue_id == issue_id if issue_id
            else NotificationOptOut.issue_id.is_(None),
            of_person(NotificationOptOut, user_id, email))


def _opted_out(issue_id, user_id, email):
    return model.Session.execute(sa.select(NotificationOptOut.id).where(
        *_opt_outs(issue_id, user_id, email)).limit(1)).first() is not None


def _delete(model_class, *conditions):
    model.Session.execute(sa.delete(model_class).where(
        *conditions).execution_options(synchronize_session=False))


def unsubscribe(issue_id, user_id=None, email=None):
    """No more email about the issue for this person, whatever the reason
    they were told (subscriber, reporter, publisher). Not committed."""
    _delete(Subscription, Subscription.issue_id == issue_id,
            of_person(Subscription, user_id, email))
    _opt_out(issue_id, user_id, email)


def _opt_out(issue_id, user_id, email):
    if not _opted_out(issue_id, user_id, email):
        model.Session.add(NotificationOptOut(
            id=make_uuid(), issue_id=issue_id, user_id=user_id,
            email=None if user_id else email))


def wants_email(user_id):
    return not _opted_out(None, user_id, None)


def set_wants_email(user_id, wanted):
    """A user's switch for all help desk email. Not committed."""
    if wanted:
        _delete(NotificationOptOut, *_opt_outs(None, user_id, None))
    else:
        _opt_out(None, user_id, None)
