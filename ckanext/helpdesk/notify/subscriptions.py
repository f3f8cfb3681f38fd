"""Signal subscriptions: the help desk's events become pending
notifications.

The core sends its signals inside the action's transaction, before commit,
so the Notification rows written here commit or roll back with the change:
no email is promised for a change that did not happen, and none is lost
for one that did. Only after the commit are the send jobs enqueued; if
Redis is down then, the rows wait for `ckan helpdesk send-pending`.

An address given without an account is not subscribed: it is sent the
confirmation email (notify/confirm.py), whose link subscribes it.
"""
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.helpdesk import after_commit, signals
from ckanext.helpdesk.model import Notification, Subscription
from ckanext.helpdesk.notify import confirm, jobs, recipients

NOTIFIED_CHANGES = ("status", "assignee_id", "duplicate_of_id")


def get_subscriptions():
    return {
        signals.issue_created: [on_issue_created],
        signals.issue_changed: [on_issue_changed],
        signals.comment_created: [on_comment_created],
    }


def on_issue_created(sender, issue, actor=None, **kwargs):
    _follow(issue, actor, issue.reporter_email)
    _notify(issue, recipients.for_new_issue(issue), actor,
            actor_email=issue.reporter_email)


def on_comment_created(sender, issue, comment, actor=None, **kwargs):
    _follow(issue, actor, comment.author_email)
    _notify(issue, recipients.for_comment(issue, comment), actor,
            actor_email=comment.author_email, comment=comment)


def on_issue_changed(sender, issue, changes, actor=None, comment=None,
                     **kwargs):
    if comment is not None:
        _follow(issue, actor, comment.author_email)
    candidates = recipients.for_change(issue, changes, comment)
    notified = {field: list(change) for field, change in changes.items()
                if field in NOTIFIED_CHANGES}
    _notify(issue, candidates, actor, comment=comment, changes=notified)


def _follow(issue, actor, email):
    """Reporting and commenting follow the issue; an address given without
    an account only once it is confirmed."""
    if actor is None and email and confirm.request(issue, email):
        _notify(issue, [("confirm_address",
                         recipients.Recipient(email, "anonymous_address"))],
                None)
    else:
        _subscribe(issue, actor, email)


def _subscribe(issue, actor, email):
    """Follow the issue (a no-op when the core's action has subscribed
    them already)."""
    if actor is not None:
        who = {"user_id": actor.id}
    elif email:
        who = {"user_id": None, "email": email}
    else:
        return
    same = [getattr(Subscription, key) == value  # None: IS NULL
            for key, value in who.items()]
    if model.Session.execute(sa.select(Subscription.id).where(
            Subscription.issue_id == issue.id, *same).limit(1)
    ).first() is None:
        model.Session.add(Subscription(id=make_uuid(), issue_id=issue.id,
                                       **who))


def _notify(issue, candidates, actor, actor_email=None, comment=None,
            changes=None):
    if not tk.config["ckanext.helpdesk.notify.enabled"]:
        return
    actor_id = actor.id if actor else None
    chosen = recipients.finalize(issue, candidates, actor_id, actor_email)
    for kind, recipient in chosen:
        notification = Notification(
            id=make_uuid(), issue_id=issue.id, kind=kind,
            reason=recipient.reason, user_id=recipient.user_id,
            email=recipient.email, recipient_name=recipient.name,
            actor_id=actor_id, changes=changes or None,
            comment_id=_readable_comment_id(comment, recipient))
        model.Session.add(notification)
        after_commit.enqueue(
            model.Session(), jobs.send_notification, notification.id,
            f"helpdesk notification {notification.id}", "send-pending")


def _readable_comment_id(comment, recipient):
    """Internal notes are quoted only to the organization's channels."""
    if comment is None:
        return None
    publisher = recipient.reason in recipients.PUBLISHER_REASONS
    if comment.internal and not publisher:
        return None
    return comment.id
