"""Sending notifications: the background job, and the sweep of what is
still pending (`ckan helpdesk send-pending`, for cron).

A notification is locked while it is sent (SELECT ... FOR UPDATE SKIP
LOCKED), so a job and the sweep never send the same email twice. A failure
is recorded on the row and retried by the sweep with exponential backoff
until ckanext.helpdesk.notify.max_attempts. Just before sending, the
notification is checked again (notify/checks.py): one that may no longer go
is recorded as skipped, with the reason.
"""
import datetime
import logging

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import Issue, Notification, utcnow
from ckanext.helpdesk.notify import checks, mail

log = logging.getLogger(__name__)

MAX_DELAY = datetime.timedelta(days=1)


def send_notification(notification_id):
    """The background job: send one pending notification."""
    notification = model.Session.query(Notification).filter_by(
        id=notification_id, status="pending"
    ).with_for_update(skip_locked=True).one_or_none()
    if notification is not None:
        _attempt(notification)
    model.Session.commit()
    return notification is not None and notification.status == "sent"


def send_pending(retry_now=False, limit=1000):
    """Send the pending notifications that are due (all of them with
    retry_now, e.g. once the mail server is fixed); returns how many were
    sent and how many failed again."""
    sent = failed = 0
    for notification_id in due_ids(retry_now, limit):
        if send_notification(notification_id):
            sent += 1
        else:
            failed += 1
    return sent, failed


def due_ids(retry_now=False, limit=1000):
    query = model.Session.query(Notification.id).filter(
        Notification.status == "pending")
    if not retry_now:
        query = query.filter(Notification.next_attempt_at <= utcnow())
    ids = [row.id for row in
           query.order_by(Notification.next_attempt_at).limit(limit)]
    # Release the snapshot: each send is its own transaction.
    model.Session.commit()
    return ids


def unsent(limit=50):
    """Notifications not sent (pending or failed), oldest first."""
    return model.Session.query(Notification).filter(
        Notification.status.in_(("pending", "failed"))
    ).order_by(Notification.created).limit(limit).all()


def recent(status=None, limit=100):
    """The latest notifications (optionally of one status), newest first,
    each with its issue and the names its link needs, in one query; and
    the count per status."""
    query = model.Session.query(
        Notification, Issue, model.Package.name, model.Group.name
    ).join(Issue, Issue.id == Notification.issue_id).outerjoin(
        model.Package, model.Package.id == Issue.dataset_id
    ).outerjoin(model.Group, model.Group.id == Issue.organization_id)
    if status:
        query = query.filter(Notification.status == status)
    rows = query.order_by(Notification.created.desc()).limit(limit).all()
    counts = dict(model.Session.query(
        Notification.status, sa.func.count()).group_by(Notification.status))
    return rows, counts


def _attempt(notification):
    skip_reason = checks.reason_to_skip(notification)
    if skip_reason:
        notification.status = "skipped"
        notification.skip_reason = skip_reason
        return
    notification.attempts += 1
    try:
        mail.send(notification)
    except Exception as error:  # any failure (SMTP, address) is retried
        _record_failure(notification, error)
    else:
        notification.status = "sent"
        notification.sent_at = utcnow()
        notification.last_error = None


def _record_failure(notification, error):
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= tk.config[
            "ckanext.helpdesk.notify.max_attempts"]:
        notification.status = "failed"
    else:
        notification.next_attempt_at = utcnow() + retry_delay(
            notification.attempts)
    log.warning("Help desk notification %s to %s failed (attempt %d): %s",
                notification.id, notification.email, notification.attempts,
                notification.last_error)


def retry_delay(attempts):
    """Exponential backoff: the configured delay, doubled per attempt."""
    first = tk.config["ckanext.helpdesk.notify.retry_delay"]
    doublings = min(attempts - 1, 20)  # keeps timedelta from overflowing
    delay = datetime.timedelta(seconds=first * 2 ** doublings)
    return min(delay, MAX_DELAY)
