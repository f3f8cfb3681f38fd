"""Actions of the notifications: a user's switches for all help desk email
and for the digests (notify/digests.py).

plugin.py registers the names in `__all__` beside the core's actions, and
those of notify/auth.py beside the core's auth functions.
"""
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.notify import digests, optout

__all__ = ["helpdesk_notification_preferences_show",
           "helpdesk_notification_preferences_update"]


def _preferences_schema():
    get = tk.get_validator
    return {
        "id": [get("ignore_missing"), get("helpdesk_identifier")],
        "email_notifications": [get("not_missing"),
                                get("helpdesk_boolean")],
        "digests": [get("ignore_missing"), get("helpdesk_boolean")],
    }


def target_user(context, data_dict):
    """The user named by `id` (name or id), or the caller."""
    data, errors = tk.navl_validate(
        data_dict, {"id": _preferences_schema()["id"]}, context)
    if errors:
        raise tk.ValidationError(errors)
    name = data.get("id") or context.get("user")
    user = model.User.get(name) if name else None
    if user is None:
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


def _preferences(user):
    return {"user_id": user.id,
            "email_notifications": optout.wants_email(user.id),
            "digests": digests.wants_digests(user.id)}


@tk.side_effect_free
def helpdesk_notification_preferences_show(context, data_dict):
    """Return whether a user gets help desk email, and the daily digests
    and weekly summaries of the organizations they edit. Signed-in users
    may call it for themselves (sysadmins for anyone).

    :param id: the id or name of the user (optional; the caller by
        default; another user's for sysadmins only)
    :type id: string

    :returns: ``user_id``, ``email_notifications`` (whether the user gets
        help desk email) and ``digests`` (whether they get the digests)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_notification_preferences_show", context,
                    data_dict)
    return _preferences(target_user(context, data_dict))


def helpdesk_notification_preferences_update(context, data_dict):
    """Turn all help desk email on or off for a user, and the daily
    digests and weekly summaries of the organizations they edit. Signed-in
    users may call it for themselves (sysadmins for anyone).

    :param id: the id or name of the user (optional; the caller by
        default; another user's for sysadmins only)
    :type id: string
    :param email_notifications: whether the user gets help desk email
    :type email_notifications: bool
    :param digests: whether the user gets the digests (optional;
        unchanged when missing)
    :type digests: bool

    :returns: ``user_id``, ``email_notifications`` (whether the user gets
        help desk email) and ``digests`` (whether they get the digests)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_notification_preferences_update", context,
                    data_dict)
    data, errors = tk.navl_validate(data_dict, _preferences_schema(),
                                    context)
    if errors:
        raise tk.ValidationError(errors)
    user = target_user(context, data_dict)
    optout.set_wants_email(user.id, data["email_notifications"])
    if "digests" in data:
        digests.set_wants_digests(user.id, data["digests"])
    model.repo.commit()
    return _preferences(user)
