"""Opting out: of one issue (the unsubscribe link) or of all help desk
email (a user's preference)."""
import sqlalchemy as sa

import ckan.model as model
from ckan.model.types import make_uuid

from ckanext.helpdesk.model import NotificationOptOut, Subscription


def of_person(query, model_class, user_id, email):
    """`query` limited to the rows of one person: a user, or an address
    (whatever its case) given without an account."""
    if user_id:
        return query.filter(model_class.user_id == user_id)
    return query.filter(model_class.user_id.is_(None),
                        sa.func.lower(model_class.email) == email.lower())


def _opt_outs(issue_id, user_id, email):
    query = model.Session.query(NotificationOptOut).filter(
        NotificationOptOut.issue_id == issue_id if issue_id
        else NotificationOptOut.issue_id.is_(None))
    return of_person(query, NotificationOptOut, user_id, email)


def unsubscribe(issue_id, user_id=None, email=None):
    """No more email about the issue for this person, whatever the reason
    they were told (subscriber, reporter, publisher). Not committed."""
    of_person(model.Session.query(Subscription).filter(
        Subscription.issue_id == issue_id), Subscription, user_id, email
    ).delete(synchronize_session=False)
    _opt_out(issue_id, user_id, email)


def _opt_out(issue_id, user_id, email):
    if _opt_outs(issue_id, user_id, email).first() is None:
        model.Session.add(NotificationOptOut(
            id=make_uuid(), issue_id=issue_id, user_id=user_id,
            email=None if user_id else email))


def wants_email(user_id):
    return _opt_outs(None, user_id, None).first() is None


def set_wants_email(user_id, wanted):
    """A user's switch for all help desk email. Not committed."""
    if wanted:
        _opt_outs(None, user_id, None).delete(synchronize_session=False)
    else:
        _opt_out(None, user_id, None)
