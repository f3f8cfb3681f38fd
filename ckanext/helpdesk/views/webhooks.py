"""The webhooks of an organization's help desk settings page, for its
admins (and sysadmins): add one (its own form), delete one, rotate a
secret. A secret is shown once, on the page that answers adding the
webhook or rotating its secret; the settings page lists the webhooks and
their delivery logs (templates/helpdesk/snippets/webhook_settings.html).
"""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk.model import WEBHOOK_EVENTS
from ckanext.helpdesk.views.common import call, form_status, http_errors, \
    visible_organization

webhooks = Blueprint("helpdesk_webhooks", __name__)

PREFIX = "/organization/<id>/helpdesk/webhooks"


def _managed_organization(id: str) -> DataDict:
    """The organization, if the user manages its webhooks (else 403)."""
    org = visible_organization(id)
    if not tk.h.check_access("helpdesk_webhook_list",
                             {"organization_id": org["id"]}):
        raise tk.NotAuthorized()
    return org


def _organization_of_webhook(id: str, webhook_id: str) -> DataDict:
    """The organization, if the webhook is one of its own (else 404)."""
    org = _managed_organization(id)
    listed = {webhook["id"] for webhook in call(
        "helpdesk_webhook_list", organization_id=org["id"])}
    if webhook_id not in listed:
        raise tk.ObjectNotFound()
    return org


@webhooks.route(PREFIX + "/new", methods=["GET", "POST"])
@http_errors
def new(id: str) -> str | tuple[str, int]:
    org = _managed_organization(id)
    data = {"url": "", "events": list(WEBHOOK_EVENTS), "internal": False}
    errors = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {"url": form.get("url", "").strip(),
                "events": form.getlist("events"),
                "internal": form.get("internal") == "true"}
        try:
            created = call("helpdesk_webhook_create",
                           organization_id=org["id"], **data)
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            return _secret_page(org, created)
    return tk.render("helpdesk/webhook_form.html", {
        "group_dict": org, "group_type": org["type"], "data": data,
        "errors": errors, "events": WEBHOOK_EVENTS}), form_status(errors)


@webhooks.route(PREFIX + "/<webhook_id>/rotate", methods=["POST"])
@http_errors
def rotate(id: str, webhook_id: str) -> str:
    org = _organization_of_webhook(id, webhook_id)
    return _secret_page(org, call("helpdesk_webhook_rotate_secret",
                                  id=webhook_id))


@webhooks.route(PREFIX + "/<webhook_id>/delete", methods=["POST"])
@http_errors
def delete(id: str, webhook_id: str) -> Response:
    org = _organization_of_webhook(id, webhook_id)
    call("helpdesk_webhook_delete", id=webhook_id)
    tk.h.flash_success(tk._("The webhook is deleted."))
    return tk.redirect_to("helpdesk_settings.organization", id=org["name"])


def _secret_page(org: DataDict, webhook: DataDict) -> str:
    return tk.render("helpdesk/webhook_secret.html", {
        "group_dict": org, "group_type": org["type"], "webhook": webhook})
