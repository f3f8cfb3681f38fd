"""The sysadmin's moderation queue of reported issues and comments."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.views.common import call, http_errors

moderation = Blueprint("helpdesk_moderation", __name__,
                       url_prefix="/ckan-admin/helpdesk")

RESOLUTIONS = ("dismiss", "hide")


@moderation.route("/reports")
@http_errors
def reports():
    return tk.render("helpdesk/moderation.html", {
        "reports": call("helpdesk_abuse_report_list")})


@moderation.route("/reports/<report_id>/resolve", methods=["POST"])
@http_errors
def resolve(report_id):
    action = tk.request.form.get("action")
    if action not in RESOLUTIONS:
        return tk.abort(400, tk._("action: choose to dismiss or hide."))
    call("helpdesk_abuse_report_resolve", id=report_id, action=action)
    tk.h.flash_success(tk._("The report was resolved."))
    return tk.redirect_to("helpdesk_moderation.reports")
