"""Sending notifications: the background job, and the sweep of what is
still pending (`ckan helpdesk send-pending`, for cron).

A notification is claimed while it is sent (SELECT ... FOR UPDATE SKIP
LOCKED on a row still pending), so jobs on any number of RQ workers and
sweeps on any number of nodes never send the same email twice while they
run. The lock is held across the SMTP transaction and released by the
commit that marks the row sent: a process that dies before that commit
leaves the row pending, and the next sweep sends it. If it dies after the
SMTP server accepted the message but before the commit, the email is sent
again (at least once, with a window of one SMTP transaction); both copies
carry the same Message-ID (mail.message_id), so receivers can drop one.
A failure is recorded on the row and retried by the sweep with exponential
backoff until ckanext.helpdesk.notify.max_attempts. Just before sending, the
notification is checked again (notify/checks.py): one that may no longer go
is recorded as skipped, with the reason.
"""
import datetime
import logging

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import after_commit
from ckanext.helpdesk.model import Issue, Notification, utcnow
from ckanext.helpdesk.notify import checks, mail

log = logging.getLogger(__name__)

MAX_DELAY = datetime.timedelta(days=1)


def send_notification(notification_id):
    """The background job: send one pending notification. Returns its new
    status ("sent", "pending" for a retry, "failed" or "skipped"), or None
    if another process holds it or sent it already."""
    notification = after_commit.claim_and_attempt(
        sa.select(Notification).where(
            Notification.id == notification_id,
            Notification.status == "pending"), _attempt)
    return None if notification is None else notification.status


def send_pending(retry_now=False, limit=1000):
    """Send the pending notifications that are due (all of them with
    retry_now, e.g. once the mail server is fixed); returns how many were
    sent, how many failed (to be retried or given up) and how many were
    skipped because they may no longer go."""
    # Ids read before the claims: one sent meanwhile by a job or another
    # node is passed over, not counted as failed.
    return send_each(due_ids(retry_now, limit))


def send_each(notification_ids):
    """Send the notifications, each in its own transaction; the outcomes
    as send_pending counts them."""
    outcomes = {"sent": 0, "failed": 0, "skipped": 0}
    for notification_id in notification_ids:
        status = send_notification(notification_id)
        if status == "pending":
            status = "failed"  # this attempt failed; a retry is scheduled
        if status is not None:
            outcomes[status] += 1
    return outcomes


def due_ids(retry_now=False, limit=1000):
    statement = sa.select(Notification.id).where(
        Notification.status == "pending")
    if not retry_now:
        statement = statement.where(Notification.next_attempt_at <= utcnow())
    ids = list(model.Session.execute(statement.order_by(
        Notification.next_attempt_at).limit(limit)).scalars())
    # Release the snapshot: each send is its own transaction.
    model.Session.commit()
    return ids


def unsent(limit=50):
    """Notifications not sent (pending or failed), oldest first."""
    return model.Session.execute(sa.select(Notification).where(
        Notification.status.in_(("pending", "failed"))
    ).order_by(Notification.created).limit(limit)).scalars().all()


def recent(limit, offset=0, **filters):
    """A page of the latest notifications, newest first, each with its
    issue and the names its link needs, in one query; the count of those
    matching the filters (status, kind, and email: part of the address);
    and the count per status of all. A digest has no issue: its
    organization stands in."""
    conditions = [getattr(Notification, key) == filters[key]
                  for key in ("status", "kind") if filters.get(key)]
    if filters.get("email"):
        conditions.append(Notification.email.ilike(
            "%" + _like_escaped(filters["email"]) + "%", escape="\\"))
    # The joins are many-to-one (outer): they name, never add or drop, rows.
    total = model.Session.execute(sa.select(sa.func.count()).select_from(
        Notification).where(*conditions)).scalar()
    rows = model.Session.execute(sa.select(
        Notification, Issue, model.Package.name, model.Group.name
    ).outerjoin(Issue, Issue.id == Notification.issue_id).outerjoin(
        model.Package, model.Package.id == Issue.dataset_id
    ).outerjoin(model.Group, model.Group.id == sa.func.coalesce(
        Issue.organization_id, Notification.organization_id)
    ).where(*conditions).order_by(
        Notification.created.desc(), Notification.id
    ).limit(limit).offset(offset)).all()
    counts = dict(model.Session.execute(sa.select(
        Notification.status, sa.func.count()).group_by(Notification.status)
    ).all())
    return rows, total, counts


def _like_escaped(text):
    return (text.replace("\\", "\\\\").replace("%", "\\%")
            .replace("_", "\\_"))


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
