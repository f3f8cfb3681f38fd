"""The moderation queue of reported (and held) issues and comments: the
sysadmin's under /ckan-admin, an organization admin's on their dashboard,
each listing the reports its viewer moderates."""
from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ckanext.helpdesk.views.common import call, http_errors, safe_next

moderation = Blueprint("helpdesk_moderation", __name__)

RESOLUTIONS = ("dismiss", "hide", "show")


@moderation.route("/ckan-admin/helpdesk/reports")
@http_errors
def reports():
    return tk.render("helpdesk/moderation.html", {
        "reports": call("helpdesk_abuse_report_list"),
        "base_template": "admin/base.html"})


@moderation.route("/dashboard/helpdesk/reports")
@http_errors
def dashboard():
    """The organization admin's queue: reports about their issues."""
    if not current_user.is_authenticated:
        return tk.redirect_to("user.login")
    return tk.render("helpdesk/moderation.html", {
        "reports": call("helpdesk_abuse_report_list"),
        "base_template": "user/dashboard.html",
        # user/dashboard.html shows whose dashboard it is.
        "user_dict": call("user_show", id=current_user.id),
        "is_myself": True})


@moderation.route("/ckan-admin/helpdesk/reports/<report_id>/resolve",
                  methods=["POST"])
@http_errors
def resolve(report_id):
    action = tk.request.form.get("action")
    if action not in RESOLUTIONS:
        return tk.abort(400, tk._("action: choose to dismiss, hide or show."))
    call("helpdesk_abuse_report_resolve", id=report_id, action=action)
    tk.h.flash_success(tk._("The report was resolved."))
    return tk.redirect_to(safe_next(
        tk.h.url_for("helpdesk_moderation.reports")))
