"""An organization's help desk settings page: its admins set the response
target; editors, members, other users and visitors cannot; a bad value is
shown again beside its field; the form needs its CSRF token."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import field_error, make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

FIELD = "field-response-target-days"


@pytest.fixture
def org_people():
    admin, editor, member, stranger = (make_user() for _ in range(4))
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"}])
    return dict(admin=admin, editor=editor, member=member,
                stranger=stranger, org=org,
                url=f"/organization/{org['name']}/helpdesk/settings")


def _target(org):
    return tk.get_action("helpdesk_organization_settings_show")(
        {"ignore_auth": True}, {"organization_id": org["id"]})


def test_an_admin_sets_the_response_target_on_the_settings_page(
        visitor, org_people):
    visitor.sign_in(org_people["admin"])
    organization_page = visitor.get(
        f"/organization/{org_people['org']['name']}").body
    assert org_people["url"] in organization_page  # linked for admins

    saved = visitor.post(org_people["url"], {"response_target_days": "5"},
                         follow_redirects=True)

    assert saved.status_code == 200
    assert "The help desk settings are saved." in saved.body
    assert 'value="5"' in saved.body
    assert _target(org_people["org"])["effective_response_target_days"] == 5

    visitor.post(org_people["url"], {"response_target_days": ""})
    settings = _target(org_people["org"])
    assert settings["response_target_days"] is None
    assert settings["effective_response_target_days"] == 3  # the default


@pytest.mark.parametrize("value", ["0", "61", "three", "2.5", "-1"])
def test_a_bad_target_is_shown_again_beside_its_field(visitor, org_people,
                                                      value):
    visitor.sign_in(org_people["admin"])

    page = visitor.post(org_people["url"], {"response_target_days": value})

    assert page.status_code == 200
    error = field_error(page.body, FIELD)
    assert error and "whole number of working days from 1 to 60" in error
    assert f'value="{value}"' in page.body  # what was typed, kept
    assert _target(org_people["org"])["response_target_days"] is None


@pytest.mark.parametrize("who", ["editor", "member", "stranger"])
def test_no_one_but_its_admins_may_change_the_settings(visitor, org_people,
                                                       who):
    visitor.sign_in(org_people[who])
    organization_page = visitor.get(
        f"/organization/{org_people['org']['name']}").body
    assert org_people["url"] not in organization_page

    assert visitor.get(org_people["url"]).status_code == 403
    refused = visitor.post(org_people["url"], {"response_target_days": "9"})

    assert refused.status_code == 403
    assert _target(org_people["org"])["response_target_days"] is None


def test_a_visitor_is_refused_and_an_unknown_organization_is_not_found(
        visitor, org_people):
    assert visitor.get(org_people["url"]).status_code == 403
    assert visitor.get(
        "/organization/no-such-org/helpdesk/settings").status_code == 404


def test_the_settings_form_needs_its_csrf_token(visitor, org_people):
    visitor.sign_in(org_people["admin"])

    refused = visitor.post(org_people["url"], {"response_target_days": "9"},
                           csrf=False)

    assert refused.status_code == 400
    assert _target(org_people["org"])["response_target_days"] is None


def test_a_sysadmin_may_change_any_organizations_settings(visitor,
                                                          org_people):
    visitor.sign_in(make_user(sysadmin=True))

    visitor.post(org_people["url"], {"response_target_days": "10"})

    assert _target(org_people["org"])["response_target_days"] == 10


def test_the_action_names_the_field_of_a_bad_target(org_people):
    with pytest.raises(tk.ValidationError) as refused:
        call_as(org_people["admin"], "helpdesk_organization_settings_update",
                organization_id=org_people["org"]["id"],
                response_target_days=0)
    assert list(refused.value.error_dict) == ["response_target_days"]
    with pytest.raises(tk.NotAuthorized):
        call_as(org_people["editor"], "helpdesk_organization_settings_update",
                organization_id=org_people["org"]["id"],
                response_target_days=4)


def test_an_admin_gives_the_organizations_help_desk_addresses(
        visitor, org_people):
    visitor.sign_in(org_people["admin"])

    saved = visitor.post(org_people["url"], {
        "response_target_days": "",
        "notify_emails": "desk@example.org, tickets@example.org "
                         "DESK@example.org"},
        follow_redirects=True)

    assert "The help desk settings are saved." in saved.body
    assert 'value="desk@example.org, tickets@example.org"' in saved.body
    assert _target(org_people["org"])["notify_emails"] == [
        "desk@example.org", "tickets@example.org"]  # each once


@pytest.mark.parametrize("typed, message", [
    ("desk@example.org, not-an-address", "not-an-address is not a valid"),
    (", ".join(f"desk{n}@example.org" for n in range(6)), "at most 5"),
])
def test_a_bad_address_is_shown_again_beside_its_field(visitor, org_people,
                                                       typed, message):
    visitor.sign_in(org_people["admin"])

    page = visitor.post(org_people["url"], {"response_target_days": "4",
                                            "notify_emails": typed})

    assert page.status_code == 200
    error = field_error(page.body, "field-notify-emails")
    assert error and message in error
    assert f'value="{typed}"' in page.body  # what was typed, kept
    assert _target(org_people["org"])["notify_emails"] == []
    assert _target(org_people["org"])["response_target_days"] is None


def test_the_action_names_the_field_of_a_bad_address(org_people):
    with pytest.raises(tk.ValidationError) as refused:
        call_as(org_people["admin"], "helpdesk_organization_settings_update",
                organization_id=org_people["org"]["id"],
                response_target_days=None, notify_emails=[42])
    assert list(refused.value.error_dict) == ["notify_emails"]
