"""Auth functions of the webhooks' actions: an organization's admins
manage its webhooks (sysadmins pass every check). A webhook may send
what only the organization sees, so its editors do not."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic.lookup import organization_from
from ckanext.helpdesk.webhooks import actions
from ckanext.helpdesk.webhooks.actions import webhook_from

__all__ = actions.__all__
ADMINS = ("admin",)


def _admin_of(context: Context, organization_id: str) -> AuthResult:
    return {"success": visibility.holds(
                visibility.viewer_from_context(context), organization_id,
                ADMINS),
            "msg": tk._("Only the organization's admins manage its "
                        "webhooks")}


def _of_organization(context: Context, data_dict: DataDict) -> AuthResult:
    return _admin_of(context, organization_from(context, data_dict).id)


def _of_webhook(context: Context, data_dict: DataDict) -> AuthResult:
    return _admin_of(context, webhook_from(context, data_dict)
                     .organization_id)


helpdesk_webhook_create = helpdesk_webhook_list = _of_organization
helpdesk_webhook_delete = helpdesk_webhook_rotate_secret = _of_webhook
