"""Auth functions of the notifications' actions: users decide about their
own email (sysadmins pass every check)."""
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.notify.actions import target_user
from ckanext.helpdesk.visibility import signed_in_user

__all__ = ["helpdesk_notification_preferences_show",
           "helpdesk_notification_preferences_update"]


def _own_preferences(context, data_dict):
    caller = signed_in_user(context)
    if caller is None:
        return {"success": False,
                "msg": tk._("Sign in to manage your email preferences")}
    try:
        user = target_user(context, data_dict)
    except tk.ObjectNotFound:
        return {"success": False, "msg": tk._("User not found")}
    return {"success": user.id == caller.id,
            "msg": tk._("Not your email preferences")}


def helpdesk_notification_preferences_show(context, data_dict):
    return _own_preferences(context, data_dict)


def helpdesk_notification_preferences_update(context, data_dict):
    return _own_preferences(context, data_dict)
