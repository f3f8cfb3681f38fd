"""An organization's help desk settings page, for its admins (and
sysadmins): the response target its queue and digests measure issues by,
and the organization's own help desk addresses.
Others get 403 (404 for an organization that does not exist)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import Response

from ckanext.helpdesk.views.common import call, form_data, form_status, \
    http_errors, visible_organization

settings = Blueprint("helpdesk_settings", __name__)

SETTINGS_FIELDS = ("response_target_days", "notify_emails")


@settings.route("/organization/<id>/helpdesk/settings",
                methods=["GET", "POST"])
@http_errors
def organization(id: str) -> Response | tuple[str, int]:
    org = visible_organization(id)
    if not tk.h.check_access("helpdesk_organization_settings_update",
                             {"organization_id": org["id"]}):
        return tk.abort(403, tk._("Only the organization's admins may "
                                  "change its help desk settings"))
    current = call("helpdesk_organization_settings_show",
                   organization_id=org["id"])
    own = current["response_target_days"]
    data = {"response_target_days": "" if own is None else own,
            "notify_emails": ", ".join(current["notify_emails"])}
    errors = {}
    if tk.request.method == "POST":
        data = {key: form_data().get(key, "") for key in SETTINGS_FIELDS}
        try:
            call("helpdesk_organization_settings_update",
                 organization_id=org["id"], **data)
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("The help desk settings are saved."))
            return tk.redirect_to("helpdesk_settings.organization",
                                  id=org["name"])
    return tk.render("helpdesk/organization_settings.html", {
        "group_dict": org, "group_type": org["type"], "data": data,
        "errors": errors, "settings": current}), form_status(errors)
