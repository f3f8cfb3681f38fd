"""Pages of the federation: the routes section of an organization's help
desk settings (add a route, map its categories to the endpoint's
services, remove it), for its admins; and the forwards not delivered, for
sysadmins, who may send a failed one again."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk.categories import configured_categories
from ckanext.helpdesk.federation import forwarding
from ckanext.helpdesk.views.common import call, form_data, form_status, \
    http_errors, visible_organization

forward = Blueprint("helpdesk_forward", __name__)

ROUTE_FIELDS = ("name", "base_url", "api_key", "jurisdiction_id")
SETTINGS = "helpdesk_settings.organization"


def _settings_page(org: DataDict, data: dict[str, Any] | None = None,
                   errors: dict[str, Any] | None = None) -> str:
    """The settings page with the routes section's form shown again."""
    return tk.render("helpdesk/organization_settings.html", {
        "group_dict": org, "group_type": org["type"], "data": {},
        "errors": {}, "settings": call("helpdesk_organization_settings_show",
                                       organization_id=org["id"]),
        "route_data": data or {}, "route_errors": errors or {}})


@forward.route("/organization/<id>/helpdesk/routes", methods=["POST"])
@http_errors
def add_route(id: str) -> Response | tuple[str, int]:
    org = visible_organization(id)
    data = {key: form_data().get(key, "") for key in ROUTE_FIELDS}
    try:
        route = call("helpdesk_forward_route_create",
                     organization_id=org["id"], **data)
    except tk.ValidationError as error:
        data.pop("api_key")  # never sent back into a page
        return _settings_page(org, data, error.error_dict), 400
    tk.h.flash_success(tk._("The route is added: choose where each "
                            "category goes."))
    return tk.redirect_to("helpdesk_forward.route", id=org["name"],
                          route_id=route["id"])


@forward.route("/organization/<id>/helpdesk/routes/<route_id>",
               methods=["GET", "POST"])
@http_errors
def route(id: str, route_id: str) -> Response | tuple[str, int]:
    org = visible_organization(id)
    route = _route_of(org, route_id)
    errors, chosen = {}, route["service_codes"]
    if tk.request.method == "POST":
        chosen = {category["code"]: form_data().get(
            "service_code-" + category["code"], "")
            for category in configured_categories()}
        try:
            call("helpdesk_forward_route_update", id=route["id"],
                 service_codes=chosen)
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("The route is saved."))
            return tk.redirect_to(SETTINGS, id=org["name"])
    try:
        services = call("helpdesk_forward_route_services", id=route["id"])
    except tk.ValidationError as error:
        services, errors = [], dict(errors, **error.error_dict)
    return tk.render("helpdesk/forward_route.html", {
        "group_dict": org, "group_type": org["type"], "route": route,
        "services": services, "chosen": chosen, "errors": errors,
        "categories": configured_categories()}), \
        form_status(errors, 400 if errors else 200)


@forward.route("/organization/<id>/helpdesk/routes/<route_id>/delete",
               methods=["POST"])
@http_errors
def delete_route(id: str, route_id: str) -> Response:
    org = visible_organization(id)
    call("helpdesk_forward_route_delete", id=_route_of(org, route_id)["id"])
    tk.h.flash_success(tk._("The route is removed."))
    return tk.redirect_to(SETTINGS, id=org["name"])


def _route_of(org: DataDict, route_id: str) -> DataDict:
    for found in call("helpdesk_forward_route_list",
                      organization_id=org["id"]):
        if found["id"] == route_id:
            return found
    raise tk.ObjectNotFound(tk._("Route not found"))


@forward.route("/ckan-admin/helpdesk/forwards", methods=["GET", "POST"])
def forwards() -> str | Response:
    """Forwards pending or failed, for sysadmins; POST retries one."""
    if not tk.current_user.is_authenticated or not tk.current_user.sysadmin:
        return tk.abort(403, tk._("Only sysadmins may see the forwards."))
    if tk.request.method == "POST":
        if forwarding.retry(form_data().get("forward_id", "")):
            tk.h.flash_success(tk._("It will be sent again."))
        return tk.redirect_to("helpdesk_forward.forwards")
    return tk.render("helpdesk/forwards.html",
                     {"rows": forwarding.not_delivered()})
