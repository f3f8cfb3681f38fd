"""The links of the emails, working without signing in (unsubscribe, and
confirm an address given without an account); and a page for sysadmins
listing the latest notifications.

GET shows a page with a button (a POST form with a CSRF token), so a mail
scanner that fetches links changes nothing. Mail clients use the
List-Unsubscribe header's one-click URL (RFC 8058): a POST of
"List-Unsubscribe=One-Click" without cookies, so without a CSRF token. The
opaque token in the URL (notify/tokens.py) is the credential of all: an
unknown one is answered with 400, an expired one with 410. The pages name
the issue only when the holder may see it now.
"""
import flask

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf

from ckanext.helpdesk.model import NOTIFICATION_STATUSES, Issue, Notification
from ckanext.helpdesk.notify import confirm, jobs, optout, recipients, tokens

notify = flask.Blueprint("helpdesk_notify", __name__)


def _notification(token):
    """The notification whose email carried the unsubscribe token."""
    notification = model.Session.query(Notification).filter_by(
        token_hash=tokens.digest(token)).one_or_none()
    if notification is None:
        # Not a link we sent: as unknown as any other address.
        tk.abort(404, tk._("This unsubscribe link is not valid."))
    if tokens.expired(notification.sent_at or notification.created):
        tk.abort(410, tk._("This unsubscribe link has expired; the links "
                           "of newer emails work."))
    return notification


def _unsubscribe(notification):
    optout.unsubscribe(notification.issue_id, notification.user_id,
                       notification.email)
    model.Session.commit()


def _shown_issue(issue_id, recipient):
    """The issue, when the link's holder may see it now; else None."""
    issue = model.Session.get(Issue, issue_id)
    if recipient is None or not recipients.may_see(issue, recipient):
        return None
    return issue


@notify.route("/helpdesk/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    notification = _notification(token)
    done = flask.request.method == "POST"
    if done:
        _unsubscribe(notification)
    issue = _shown_issue(notification.issue_id,
                         recipients.of_notification(notification))
    return tk.render("helpdesk/notify/unsubscribe.html", {
        "issue": issue, "done": done,
        "action_url": tk.url_for("helpdesk_notify.unsubscribe", token=token)})


@notify.route("/helpdesk/unsubscribe/<token>/one-click", methods=["POST"])
def unsubscribe_one_click(token):
    notification = _notification(token)
    if flask.request.form.get("List-Unsubscribe") != "One-Click":
        tk.abort(400, tk._("List-Unsubscribe: expected One-Click"))
    _unsubscribe(notification)
    return tk._("You will receive no more email about this issue.")


@notify.route("/helpdesk/confirm/<token>", methods=["GET", "POST"])
def confirm_address(token):
    """Confirm an address given without an account: it then follows the
    issue it was given on."""
    confirmation = confirm.find(token)
    if confirmation is None:
        tk.abort(404, tk._("This confirmation link is not valid."))
    if confirm.expired(confirmation):
        tk.abort(410, tk._("This confirmation link has expired."))
    if flask.request.method == "POST":
        confirm.confirm(confirmation)
        model.Session.commit()
    issue = _shown_issue(confirmation.issue_id, recipients.Recipient(
        confirmation.email, "subscriber"))
    return tk.render("helpdesk/notify/confirm.html", {
        "issue": issue, "done": confirmation.confirmed_at is not None,
        "action_url": tk.url_for("helpdesk_notify.confirm_address",
                                 token=token)})


@notify.route("/ckan-admin/helpdesk/notifications")
def notifications():
    """What was sent, what waits, what failed and what was skipped, for
    sysadmins."""
    if not tk.current_user.is_authenticated or not tk.current_user.sysadmin:
        tk.abort(403, tk._("Only sysadmins may see the notifications."))
    status = flask.request.args.get("status")
    if status not in NOTIFICATION_STATUSES:
        status = None
    rows, counts = jobs.recent(status)
    return tk.render("helpdesk/notify/notifications.html", {
        "rows": rows, "counts": counts, "status": status,
        "statuses": NOTIFICATION_STATUSES})


# Mail clients cannot send a CSRF token; ckan.config.middleware's CSRF
# protector is the only door to exempt one view (toolkit has none).
csrf.exempt(unsubscribe_one_click)
