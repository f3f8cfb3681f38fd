"""The unsubscribe link of every email, working without signing in; and
a page for sysadmins listing the latest notifications.

GET shows a page with a one-click button (a POST form with a CSRF token).
Mail clients use the List-Unsubscribe header's one-click URL (RFC 8058): a
POST of "List-Unsubscribe=One-Click" without cookies, so without a CSRF
token. The signed token in the URL is the credential of both.
"""
import flask

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf

from ckanext.helpdesk.model import NOTIFICATION_STATUSES, Issue
from ckanext.helpdesk.notify import jobs, optout, tokens

notify = flask.Blueprint("helpdesk_notify", __name__)


def _issue_and_person(token):
    """(issue, user id, email) of a token; 400 when it was tampered with,
    404 when the issue is gone."""
    try:
        issue_id, user_id, email = tokens.read(token)
    except ValueError:
        tk.abort(400, tk._("This unsubscribe link is not valid."))
    issue = model.Session.get(Issue, issue_id)
    if issue is None:
        tk.abort(404, tk._("Issue not found"))
    return issue, user_id, email


@notify.route("/helpdesk/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    issue, user_id, email = _issue_and_person(token)
    done = flask.request.method == "POST"
    if done:
        optout.unsubscribe(issue.id, user_id, email)
        model.Session.commit()
    return tk.render("helpdesk/notify/unsubscribe.html",
                     {"issue": issue, "token": token, "done": done})


@notify.route("/helpdesk/unsubscribe/<token>/one-click", methods=["POST"])
def unsubscribe_one_click(token):
    issue, user_id, email = _issue_and_person(token)
    if flask.request.form.get("List-Unsubscribe") != "One-Click":
        tk.abort(400, tk._("Expected List-Unsubscribe=One-Click"))
    optout.unsubscribe(issue.id, user_id, email)
    model.Session.commit()
    return tk._("You will receive no more email about this issue.")


@notify.route("/ckan-admin/helpdesk/notifications")
def notifications():
    """What was sent, what waits and what failed, for sysadmins."""
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
