"""Actions of the federation: an organization's Open311 routes (its
admins'), and where an issue was forwarded (its managers').

A route is checked against the endpoint when it is saved: its
services.json must answer, and each category may only be mapped to one of
the services it lists.
"""
from __future__ import annotations

import urllib.parse
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.helpdesk.categories import configured_categories
from ckanext.helpdesk.federation import client, forwarding, origin, routes
from ckanext.helpdesk.logic.action import issue_parameters
from ckanext.helpdesk.logic.lookup import issue_from, organization_from
from ckanext.helpdesk.model import ForwardRoute

__all__ = ["helpdesk_forward_route_list", "helpdesk_forward_route_create",
           "helpdesk_forward_route_update", "helpdesk_forward_route_delete",
           "helpdesk_forward_route_services", "helpdesk_forward_list"]

ROUTE_FIELDS = ("name", "base_url", "api_key", "jurisdiction_id")


def _route_dict(route: ForwardRoute) -> dict[str, Any]:
    """A route as its admins see it: the api_key is never read back."""
    return {"id": route.id, "organization_id": route.organization_id,
            "name": route.name, "base_url": route.base_url,
            "has_api_key": bool(route.api_key),
            "jurisdiction_id": route.jurisdiction_id,
            "service_codes": dict(route.service_codes or {}),
            "created": route.created.isoformat()}


def _route_from(context: Context, data_dict: DataDict) -> ForwardRoute:
    route_id = data_dict.get("id")
    route = model.Session.get(ForwardRoute, route_id) \
        if isinstance(route_id, str) else None
    if route is None:
        raise tk.ObjectNotFound(tk._("Route not found"))
    context["helpdesk_route"] = route
    return route


def _text(data_dict: DataDict, key: str, errors: dict[str, list[str]],
          limit: int, required: bool = False) -> str | None:
    value = data_dict.get(key)
    if value is None or value == "":
        if required:
            errors[key] = [tk._("Missing value")]
        return None
    if not isinstance(value, str):
        errors[key] = [tk._("Must be text")]
        return None
    value = value.strip()
    if len(value) > limit:
        errors[key] = [tk._("At most {0} characters").format(limit)]
    elif required and not value:
        errors[key] = [tk._("Missing value")]
    return value or None


def _checked_url(value: str | None,
                 errors: dict[str, list[str]]) -> str | None:
    if value is None or "base_url" in errors:
        return value
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["base_url"] = [tk._(
            "Give the endpoint's full address, starting with https://")]
    elif origin.same_portal(value, routes.own_open311_url()):
        errors["base_url"] = [tk._("This is this portal's own Open311")]
    return value


def _services(route_fields: dict[str, Any],
              errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The endpoint's services, or an error beside base_url."""
    try:
        return client.services(route_fields["base_url"],
                               route_fields.get("api_key"),
                               route_fields.get("jurisdiction_id"))
    except client.Open311Failure as error:
        errors["base_url"] = [tk._(
            "Could not read the endpoint's services.json: {0}").format(error)]
        return []


def helpdesk_forward_route_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """The Open311 routes of an organization. Its admins may call it.

    :param organization_id: the organization's id or name
    :type organization_id: string

    :returns: the routes (``id``, ``name``, ``base_url``,
        ``has_api_key``, ``jurisdiction_id``, ``service_codes``: {category
        code: service code}, ``created``)
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_forward_route_list", context, data_dict)
    organization = organization_from(context, data_dict)
    return [_route_dict(route)
            for route in routes.organization_routes(organization.id)]


def helpdesk_forward_route_create(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Add an Open311 GeoReport v2 endpoint the organization's issues are
    forwarded to; its services.json must answer. Its categories go nowhere
    until they are mapped to its services (``helpdesk_forward_route_update``).
    The organization's admins may call it.

    :param organization_id: the organization's id or name
    :type organization_id: string
    :param name: what the route is called on issue pages (at most 100
        characters)
    :type name: string
    :param base_url: the endpoint's base URL, e.g.
        ``https://city.example.org/open311/v2``
    :type base_url: string
    :param api_key: the key to send with each report (optional)
    :type api_key: string
    :param jurisdiction_id: the endpoint's jurisdiction_id (optional)
    :type jurisdiction_id: string

    :returns: the route, as ``helpdesk_forward_route_list`` lists it
    :rtype: dictionary
    """
    tk.check_access("helpdesk_forward_route_create", context, data_dict)
    organization = organization_from(context, data_dict)
    fields, errors = _route_fields(data_dict, required=True)
    if not errors and model.Session.execute(sa.select(ForwardRoute.id).where(
            ForwardRoute.organization_id == organization.id,
            ForwardRoute.base_url == fields["base_url"])).first():
        errors["base_url"] = [tk._("This endpoint is a route already")]
    if not errors:
        _services(fields, errors)
    if errors:
        raise tk.ValidationError(errors)
    route = ForwardRoute(organization_id=organization.id, service_codes={},
                         **fields)
    model.Session.add(route)
    model.Session.commit()
    return _route_dict(route)


def _route_fields(
    data_dict: DataDict, required: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict = {}
    fields = {
        "name": _text(data_dict, "name", errors, routes.NAME_LENGTH,
                      required),
        "base_url": _checked_url(_text(data_dict, "base_url", errors,
                                       routes.URL_LENGTH, required), errors),
        "api_key": _text(data_dict, "api_key", errors, 2000),
        "jurisdiction_id": _text(data_dict, "jurisdiction_id", errors, 200),
    }
    if not required:  # an update changes what it is given
        fields = {key: value for key, value in fields.items()
                  if key in data_dict}
    return fields, errors


def helpdesk_forward_route_services(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """The services the route's endpoint offers now (from its
    services.json), to map categories to. The organization's admins may
    call it.

    :param id: the route's id
    :type id: string

    :returns: the services (``service_code``, ``service_name``, ...)
    :rtype: list of dictionaries
    """
    route = _route_from(context, data_dict)
    tk.check_access("helpdesk_forward_route_services", context, data_dict)
    try:
        return client.services(route.base_url, route.api_key,
                               route.jurisdiction_id)
    except client.Open311Failure as error:
        raise tk.ValidationError({"base_url": [str(error)]}) from None


def helpdesk_forward_route_update(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Change a route: its name, key, jurisdiction and which service each
    category goes to (the codes are checked against the endpoint's
    services.json). The organization's admins may call it.

    :param id: the route's id
    :type id: string
    :param name: a new name (optional)
    :type name: string
    :param api_key: a new key; ``""`` removes it (optional)
    :type api_key: string
    :param jurisdiction_id: a new jurisdiction_id (optional)
    :type jurisdiction_id: string
    :param service_codes: {category code: service code} for every
        category that goes there; ``""`` or a missing category: not sent
        there (optional)
    :type service_codes: dictionary

    :returns: the route, as ``helpdesk_forward_route_list`` lists it
    :rtype: dictionary
    """
    route = _route_from(context, data_dict)
    tk.check_access("helpdesk_forward_route_update", context, data_dict)
    fields, errors = _route_fields(
        {key: value for key, value in data_dict.items()
         if key in ("name", "api_key", "jurisdiction_id")}, required=False)
    if "name" in fields and not fields["name"]:
        errors["name"] = [tk._("Missing value")]
    codes = None
    if "service_codes" in data_dict:
        codes = _checked_codes(data_dict["service_codes"], errors, dict(
            {"base_url": route.base_url, "api_key": route.api_key,
             "jurisdiction_id": route.jurisdiction_id}, **fields))
    if errors:
        raise tk.ValidationError(errors)
    for key, value in fields.items():
        setattr(route, key, value)
    if codes is not None:
        route.service_codes = codes
    model.Session.commit()
    return _route_dict(route)


def _checked_codes(given: Any, errors: dict[str, list[str]],
                   route_fields: dict[str, Any]) -> dict[str, str] | None:
    if not isinstance(given, dict):
        errors["service_codes"] = [tk._("Must be a mapping of category "
                                        "codes to service codes")]
        return None
    categories = {category["code"] for category in configured_categories()}
    chosen = {key: value for key, value in given.items() if value}
    unknown = sorted(set(chosen) - categories)
    if unknown:
        errors["service_codes"] = [tk._("Unknown category: {0}").format(
            code) for code in unknown]
        return None
    offered = {service["service_code"]
               for service in _services(route_fields, errors)}
    if "base_url" in errors:
        return None
    for category, code in chosen.items():
        if code not in offered:
            errors[f"service_codes.{category}"] = [tk._(
                "{0} is not one of the endpoint's services").format(code)]
    return chosen


def helpdesk_forward_route_delete(context: Context,
                                  data_dict: DataDict) -> None:
    """Remove a route; what was forwarded by it stays forwarded. The
    organization's admins may call it.

    :param id: the route's id
    :type id: string
    :returns: nothing (``null`` over the Action API)
    :rtype: None
    """
    route = _route_from(context, data_dict)
    tk.check_access("helpdesk_forward_route_delete", context, data_dict)
    model.Session.delete(route)
    model.Session.commit()


@issue_parameters()
def helpdesk_forward_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """Where an issue was forwarded, and how it went. The editors and admins
    of its organization may call it.

    {issue parameters}

    :returns: the forwards (``endpoint_name``, ``base_url``, ``route_kind``,
        ``state``: pending, delivered or failed, ``attempts``,
        ``next_attempt_at``, ``last_error``, ``remote_id``,
        ``remote_token``, ``remote_url``, ``remote_status``,
        ``delivered_at``)
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_forward_list", context, data_dict)
    issue = issue_from(context, data_dict)
    return [{
        "id": forward.id, "endpoint_name": forward.endpoint_name,
        "base_url": forward.base_url, "route_kind": forward.route_kind,
        "state": forward.state, "attempts": forward.attempts,
        "next_attempt_at": forward.next_attempt_at.isoformat(),
        "last_error": forward.last_error, "remote_id": forward.remote_id,
        "remote_token": forward.remote_token,
        "remote_url": forward.remote_url,
        "remote_status": forward.remote_status,
        "delivered_at": forward.delivered_at and
        forward.delivered_at.isoformat(),
    } for forward in forwarding.of_issue(issue.id)]
