"""Auth functions of the federation's actions: routes are the
organization's admins' (sysadmins pass every check), where an issue went
is its managers'."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.helpdesk import visibility
from ckanext.helpdesk.federation import actions
from ckanext.helpdesk.logic.lookup import issue_from, organization_from

__all__ = actions.__all__


def _admins_of(context: Context, organization_id: str) -> AuthResult:
    return {"success": visibility.holds(
        visibility.viewer_from_context(context), organization_id,
        ("admin",)), "msg": tk._(
        "Only the organization's admins may manage its routes")}


def helpdesk_forward_route_list(
    context: Context, data_dict: DataDict
) -> AuthResult:
    return _admins_of(context, organization_from(context, data_dict).id)


helpdesk_forward_route_create = helpdesk_forward_route_list


def helpdesk_forward_route_update(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """The admins of the route's organization (the action found it)."""
    return _admins_of(context, context["helpdesk_route"].organization_id)


helpdesk_forward_route_services = helpdesk_forward_route_update
helpdesk_forward_route_delete = helpdesk_forward_route_update


def helpdesk_forward_list(context: Context, data_dict: DataDict) -> AuthResult:
    issue = issue_from(context, data_dict)
    return {"success": visibility.manages(
        issue.id, visibility.viewer_from_context(context)),
        "msg": tk._("Only the organization's editors and admins see where "
                    "an issue was forwarded")}
