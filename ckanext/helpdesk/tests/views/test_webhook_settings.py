"""The Webhooks section of an organization's help desk settings page: its
admins add a webhook (the secret shown once), see the delivery log,
rotate the secret and delete it; a bad URL is shown again beside its
field; editors are refused; the forms need their CSRF token."""
import re

import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import field_error, make_user
from ckanext.helpdesk.webhooks import delivery

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]+")


@pytest.fixture
def org_people():
    admin, editor = make_user(), make_user()
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"}])
    base = f"/organization/{org['name']}/helpdesk"
    return dict(admin=admin, editor=editor, org=org,
                settings=base + "/settings", new=base + "/webhooks/new",
                webhooks=base + "/webhooks")


def _webhooks(org):
    return tk.get_action("helpdesk_webhook_list")(
        {"ignore_auth": True}, {"organization_id": org["id"]})


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_log(
        visitor, org_people):
    visitor.sign_in(org_people["admin"])
    settings = visitor.get(org_people["settings"]).body
    assert "Webhooks" in settings and org_people["new"] in settings

    added = visitor.client.post(org_people["new"], data={
        "_csrf_token": visitor.csrf_token(),
        "url": "http://127.0.0.1:9/hook",
        "events": ["issue_created", "issue_closed"], "internal": "true"})
    assert added.status_code == 200
    [secret] = SECRET.findall(added.body)
    [webhook] = _webhooks(org_people["org"])
    assert webhook["events"] == ["issue_created", "issue_closed"]
    assert webhook["internal"] is True

    dataset = factories.Dataset(owner_org=org_people["org"]["id"])
    factories.Issue(user=org_people["editor"], dataset_id=dataset["id"])
    delivery.deliver_due()  # port 9: refused, logged
    settings = visitor.get(org_people["settings"]).body
    assert "http://127.0.0.1:9/hook" in settings
    assert "ConnectionError" in settings and "issue_created" in settings
    assert secret not in settings

    rotated = visitor.post(
        f"{org_people['webhooks']}/{webhook['id']}/rotate").body
    [new_secret] = SECRET.findall(rotated)
    assert new_secret != secret

    deleted = visitor.post(
        f"{org_people['webhooks']}/{webhook['id']}/delete",
        follow_redirects=True)
    assert "The webhook is deleted." in deleted.body
    assert _webhooks(org_people["org"]) == []


def test_a_bad_url_is_shown_again_beside_its_field(visitor, org_people):
    visitor.sign_in(org_people["admin"])
    page = visitor.post(org_people["new"], {"url": "ftp://example.org/x",
                                            "events": "issue_created"})
    assert page.status_code == 200
    assert "http:// or https://" in field_error(page.body, "field-webhook-url")
    assert 'value="ftp://example.org/x"' in page.body
    assert _webhooks(org_people["org"]) == []


def test_an_editor_may_not_manage_webhooks(visitor, org_people):
    admin_hook = tk.get_action("helpdesk_webhook_create")(
        {"ignore_auth": True}, {"organization_id": org_people["org"]["id"],
                                "url": "https://example.org/hook"})
    visitor.sign_in(org_people["editor"])
    assert visitor.get(org_people["new"]).status_code == 403
    for action in ("rotate", "delete"):
        assert visitor.post(
            f"{org_people['webhooks']}/{admin_hook['id']}/{action}"
        ).status_code == 403
    assert len(_webhooks(org_people["org"])) == 1


def test_the_webhook_forms_need_their_csrf_token(visitor, org_people):
    visitor.sign_in(org_people["admin"])
    refused = visitor.post(org_people["new"],
                           {"url": "https://example.org/hook"}, csrf=False)
    assert refused.status_code in (400, 403)
    assert _webhooks(org_people["org"]) == []
