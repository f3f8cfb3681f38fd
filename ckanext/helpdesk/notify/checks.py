"""Whether a written notification may still go, decided when it is sent.

A notification is written with the change that causes it, and sent later
(seconds, or hours when the mail server is down). Whatever changed in
between decides: the recipient may no longer see the issue (the dataset
went private or was deleted, the issue was hidden), may no longer hold the
publisher channel that named them (removed from the organization), may
have opted out, the comment may have been hidden; an anonymous address
gets nothing before it is confirmed, and at most one confirmation email
per interval. Such a notification is recorded as skipped, with the reason.
"""
from typing import Optional

import ckan.model as model

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import DIGEST_KINDS, Comment, Issue
from ckanext.helpdesk.notify import confirm, digests, recipients

# The reasons, as recorded in Notification.skip_reason.
USER_INACTIVE = "recipient_deleted"
NOT_A_PUBLISHER = "no_longer_publisher"
CANNOT_SEE = "may_not_see_issue"
NOT_ASSIGNEE = "no_longer_assignee"
COMMENT_HIDDEN = "comment_hidden"
OPTED_OUT = "opted_out"
UNCONFIRMED = "address_not_confirmed"
CONFIRMATION_SENT = "confirmation_sent_recently"


def reason_to_skip(notification) -> Optional[str]:
    """Why the notification may not go now, or None when it may."""
    if notification.kind in DIGEST_KINDS:
        return _digest_reason(notification)
    issue = model.Session.get(Issue, notification.issue_id)
    recipient = recipients.of_notification(notification)
    if recipient is None:
        return USER_INACTIVE
    if recipient.reason in recipients.PUBLISHER_REASONS:
        if not recipients.holds_channel(issue, recipient):
            return NOT_A_PUBLISHER
    elif not recipients.may_see(issue, recipient):
        return CANNOT_SEE
    if notification.kind == "assigned" and (
            issue.assignee_id != recipient.user_id):
        return NOT_ASSIGNEE
    if notification.kind == "comment" and not _comment_readable(
            notification):
        return COMMENT_HIDDEN
    if recipients.opted_out(issue, recipient):
        return OPTED_OUT
    return _anonymous_address_rule(notification, issue, recipient)


def _comment_readable(notification):
    """An email about a comment is the comment: none once it is hidden (or
    deleted)."""
    comment = (model.Session.get(Comment, notification.comment_id)
               if notification.comment_id else None)
    return comment is not None and not comment.hidden


def _anonymous_address_rule(notification, issue, recipient):
    """Addresses given without an account (not the organization's own
    channels) get the confirmation email, at most once per interval, and
    nothing else until they confirm."""
    if recipient.user_id or recipient.reason in recipients.PUBLISHER_REASONS:
        return None
    if notification.kind == "confirm_address":
        return CONFIRMATION_SENT if confirm.sent_recently(
            recipient.email) else None
    if not confirm.is_confirmed(issue.id, recipient.email):
        return UNCONFIRMED
    return None


def _digest_reason(notification):
    """A digest goes to an editor or admin of its organization who still
    is one and still wants digests."""
    recipient = recipients.of_notification(notification)
    if recipient is None:
        return USER_INACTIVE
    viewer = visibility.Viewer(recipient.user_id, recipient.sysadmin)
    if not visibility.holds(viewer, notification.organization_id,
                            digests.RECIPIENT_CAPACITIES):
        return NOT_A_PUBLISHER
    return OPTED_OUT if digests.opted_out(recipient.user_id) else None
