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

The operators' page, inside /ckan-admin, pages and filters the email,
shows each one as it is sent (subject, headers, bodies), sends the
signed-in sysadmin a test email through the configured SMTP server, and
lists the latest email that came in and was refused or dropped, and why.
"""
from __future__ import annotations

from typing import Any, Mapping

import flask
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf
from ckan.lib import mailer
from ckan.lib.pagination import Page  # toolkit has no door to the pager
from ckan.types import Response

from ckanext.helpdesk.logic import text
from ckanext.helpdesk.mailin import receive
from ckanext.helpdesk.model import DIGEST_KINDS, NOTIFICATION_STATUSES, \
    Issue, Notification
from ckanext.helpdesk.notify import confirm, digests, jobs, mail, optout, \
    recipients, tokens

NOTIFICATION_KINDS = ("issue_created", "confirmation", "comment", "changed",
                      "assigned", "confirm_address") + DIGEST_KINDS
PER_PAGE = 50
REFUSALS_SHOWN = 50
ADDRESS_LENGTH = 254

notify = flask.Blueprint("helpdesk_notify", __name__)


def _notification(token: str) -> Notification:
    """The notification whose email carried the unsubscribe token."""
    notification = model.Session.execute(sa.select(Notification).where(
        Notification.token_hash == tokens.digest(token))).scalar_one_or_none()
    if notification is None:
        # Not a link we sent: as unknown as any other address.
        tk.abort(404, tk._("This unsubscribe link is not valid."))
    if tokens.expired(notification.sent_at or notification.created):
        tk.abort(410, tk._("This unsubscribe link has expired; the links "
                           "of newer emails work."))
    return notification


def _unsubscribe(notification: Notification) -> None:
    """No more email about the issue; a digest's link stops digests."""
    if notification.kind in DIGEST_KINDS:
        digests.set_wants_digests(notification.user_id, False)
    else:
        optout.unsubscribe(notification.issue_id, notification.user_id,
                           notification.email)
    model.Session.commit()


def _shown_issue(issue_id: str | None,
                 recipient: recipients.Recipient | None) -> Issue | None:
    """The issue, when the link's holder may see it now; else None."""
    if issue_id is None:
        return None  # a digest
    issue = model.Session.get(Issue, issue_id)
    if recipient is None or not recipients.may_see(issue, recipient):
        return None
    return issue


@notify.route("/helpdesk/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> str:
    notification = _notification(token)
    done = flask.request.method == "POST"
    if done:
        _unsubscribe(notification)
    issue = _shown_issue(notification.issue_id,
                         recipients.of_notification(notification))
    return tk.render("helpdesk/notify/unsubscribe.html", {
        "issue": issue, "done": done,
        "digest": notification.kind in DIGEST_KINDS,
        "action_url": tk.url_for("helpdesk_notify.unsubscribe", token=token)})


@notify.route("/helpdesk/unsubscribe/<token>/one-click", methods=["POST"])
def unsubscribe_one_click(token: str) -> str:
    notification = _notification(token)
    if flask.request.form.get("List-Unsubscribe") != "One-Click":
        tk.abort(400, tk._("List-Unsubscribe: expected One-Click"))
    _unsubscribe(notification)
    if notification.kind in DIGEST_KINDS:
        return tk._("You will receive no more help desk digests.")
    return tk._("You will receive no more email about this issue.")


@notify.route("/dashboard/helpdesk/email", methods=["GET", "POST"])
def preferences() -> str | Response:
    """The signed-in user's switches: all help desk email, and the
    digests of the organizations they edit."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    update = tk.get_action("helpdesk_notification_preferences_update")
    if flask.request.method == "POST":
        form = flask.request.form
        update({}, {"email_notifications": "email_notifications" in form,
                    "digests": "digests" in form})
        tk.h.flash_success(tk._("Your email preferences are saved."))
        return tk.redirect_to("helpdesk_notify.preferences")
    shown = tk.get_action("helpdesk_notification_preferences_show")({}, {})
    return tk.render("helpdesk/notify/preferences.html", {
        "preferences": shown,
        "user_dict": tk.get_action("user_show")(
            {}, {"id": tk.current_user.id}),
        "is_myself": True})


@notify.route("/helpdesk/confirm/<token>", methods=["GET", "POST"])
def confirm_address(token: str) -> str:
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


def _sysadmins_only() -> None:
    if not tk.current_user.is_authenticated or not tk.current_user.sysadmin:
        tk.abort(403, tk._("Only sysadmins may see the notifications."))


def _email_filters(args: Mapping[str, str]) -> dict[str, str]:
    """The page's filters, or 400 naming the one that is wrong."""
    filters = {key: args.get(key, "").strip()
               for key in ("status", "kind", "email")}
    for key, allowed in (("status", NOTIFICATION_STATUSES),
                         ("kind", NOTIFICATION_KINDS)):
        if filters[key] and filters[key] not in allowed:
            tk.abort(400, f"{key}: " + tk._("Must be one of {0}").format(
                ", ".join(allowed)))
    problem = text.problem(filters["email"], ADDRESS_LENGTH)
    if problem:
        tk.abort(400, f"email: {problem}")
    return {key: value for key, value in filters.items() if value}


@notify.route("/ckan-admin/helpdesk/notifications")
def notifications() -> str:
    """What was sent, what waits, what failed and what was skipped, for
    sysadmins: a page at a time, filtered by status, kind and address."""
    _sysadmins_only()
    filters = _email_filters(flask.request.args)
    try:
        number = max(1, int(flask.request.args.get("page", 1)))
    except ValueError:
        number = 1
    number = min(number, 10_000)
    rows, total, counts = jobs.recent(PER_PAGE, (number - 1) * PER_PAGE,
                                      **filters)

    def page_url(q: Any = None, page: int | None = None) -> str:
        return tk.url_for("helpdesk_notify.notifications", page=page,
                          **filters)

    return tk.render("helpdesk/notify/notifications.html", {
        "rows": rows, "counts": counts, "filters": filters, "total": total,
        "statuses": NOTIFICATION_STATUSES, "kinds": NOTIFICATION_KINDS,
        "refusals": receive.recent_refusals(REFUSALS_SHOWN),
        "page": Page(collection=rows, page=number, items_per_page=PER_PAGE,
                     item_count=total, presliced_list=True, url=page_url)})


@notify.route("/ckan-admin/helpdesk/notifications/<notification_id>")
def notification_preview(notification_id: str) -> str:
    """One email as it is sent: composed now from the issue's state, its
    link tokens made and thrown away (nothing is saved), so the preview
    changes nothing and its links do not work."""
    _sysadmins_only()
    if text.problem(notification_id, text.ID_LENGTH):
        tk.abort(404, tk._("Not found"))
    notification = model.Session.get(Notification, notification_id)
    if notification is None:
        tk.abort(404, tk._("Not found"))
    try:
        message = mail.compose(notification)
    finally:
        model.Session.rollback()  # compose stores its token digests
    headers = dict({
        "From": tk.config.get("smtp.mail_from"),
        "To": f"{mail.one_line(notification.recipient_name, 100)} "
              f"<{notification.email}>",
        "Subject": message.subject}, **message.headers)
    return tk.render("helpdesk/notify/notification_preview.html", {
        "notification": model.Session.get(Notification, notification_id),
        "headers": headers, "message": message})


@notify.route("/ckan-admin/helpdesk/notifications/test", methods=["POST"])
def test_email() -> Response:
    """Send the signed-in sysadmin a test email through the configured
    SMTP server, now, and say whether the server took it."""
    _sysadmins_only()
    user = tk.current_user
    if not user.email:
        tk.h.flash_error(tk._("Your account has no email address: add one "
                              "to your profile first."))
        return tk.redirect_to("helpdesk_notify.notifications")
    site = tk.config["ckan.site_title"]
    try:
        mailer.mail_recipient(
            user.display_name, user.email,
            tk._("[{site}] Help desk test email").format(site=site),
            tk._("This is a test email of the help desk of {site}: its "
                 "email reaches you.").format(site=site))
    except mailer.MailerException as error:
        tk.h.flash_error(tk._("The test email could not be sent: {error}")
                         .format(error=error))
    else:
        tk.h.flash_success(tk._("A test email was sent to {email}.")
                           .format(email=user.email))
    return tk.redirect_to("helpdesk_notify.notifications")


# Mail clients cannot send a CSRF token; ckan.config.middleware's CSRF
# protector is the only door to exempt one view (toolkit has none).
csrf.exempt(unsubscribe_one_click)
