"""A user's switch for all help desk email.

The actions live in notify/actions.py and notify/auth.py; plugin.py must
register them beside the core's (see the module docstring there)."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import delivered, notifications

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_a_user_can_opt_out_of_all_help_desk_email(
        people, report, mail, run_jobs):
    assert call_as(people["admin"], "helpdesk_notification_preferences_update",
                   email_notifications=False)["email_notifications"] is False
    issue = report()
    run_jobs()

    assert set(delivered(mail, 2)) == {people["editor"]["email"],
                                       people["reporter"]["email"]}
    assert [n.email for n in notifications(issue_id=issue["id"],
                                           reason="admin")] == []


def test_opting_in_again_restores_email(people, report, mail, run_jobs):
    admin = people["admin"]
    call_as(admin, "helpdesk_notification_preferences_update",
            email_notifications=False)
    call_as(admin, "helpdesk_notification_preferences_update",
            email_notifications=True)

    assert call_as(admin, "helpdesk_notification_preferences_show")[
        "email_notifications"] is True
    report()
    run_jobs()
    assert admin["email"] in delivered(mail, 3)


def test_only_the_user_or_a_sysadmin_may_see_or_change_preferences(people):
    admin = people["admin"]
    with pytest.raises(tk.NotAuthorized):
        call_as(people["editor"], "helpdesk_notification_preferences_show",
                id=admin["name"])
    with pytest.raises(tk.NotAuthorized):
        call_as(None, "helpdesk_notification_preferences_update",
                id=admin["name"], email_notifications=False)

    shown = call_as(people["sysadmin"],
                    "helpdesk_notification_preferences_update",
                    id=admin["name"], email_notifications=False)
    assert shown == {"user_id": admin["id"], "email_notifications": False,
                     "digests": True}


def test_the_switch_is_required(people):
    with pytest.raises(tk.ValidationError) as error:
        call_as(people["admin"], "helpdesk_notification_preferences_update")
    assert "email_notifications" in error.value.error_dict
