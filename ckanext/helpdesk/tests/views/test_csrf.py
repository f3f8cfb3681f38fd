"""Every form of the help desk refuses a POST without CKAN's CSRF token,
whatever ckan.csrf_protection.ignore_extensions says (test.ini sets false;
true is CKAN's default, which exempts extensions from CKAN's own check),
and accepts one with it; every state change needs a POST."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.views.guards import EMAIL_LINKS
from ckanext.helpdesk.tests.views.conftest import issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

IGNORE_EXTENSIONS = "ckan.csrf_protection.ignore_extensions"
# Each test below runs under both settings of ignore_extensions (as
# booleans: CKAN reads the option with config.get, and a mark's string
# "false" would be true).
whatever_ignore_extensions = pytest.mark.parametrize("ignore_extensions", [
    pytest.param(value, id=str(value).lower(), marks=pytest.mark.ckan_config(
        IGNORE_EXTENSIONS, value))
    for value in (False, True)])


@pytest.fixture(autouse=True)
def ckan_exemptions_restored():
    """ignore_extensions = true exempts the plugins' blueprints in CKAN's
    process-wide CSRF protector, for every app built afterwards in the
    process: put its list back, so each test runs under its own setting."""
    saved = set(csrf._exempt_blueprints)
    yield
    csrf._exempt_blueprints.clear()
    csrf._exempt_blueprints.update(saved)


@pytest.fixture
def targets(portal):
    """The ids the form URLs need."""
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    comment = call_as(portal["editor"], "helpdesk_comment_create",
                      issue_id=issue["id"], body="Hello")
    report = call_as(portal["reporter"], "helpdesk_abuse_report_create",
                     issue_id=issue["id"], reason="Spam")
    webhook = tk.get_action("helpdesk_webhook_create")(
        {"ignore_auth": True}, {"organization_id": portal["org"]["id"],
                                "url": "https://example.org/hook"})
    return {"dataset": portal["dataset"]["name"],
            "org": portal["org"]["name"], "issue": issue["id"],
            "comment": comment["id"], "report": report["id"],
            "webhook": webhook["id"]}


FORMS = [
    "/dataset/{dataset}/issues/new",
    "/organization/{org}/issues/request",
    "/helpdesk/issues/{issue}/comment",
    "/helpdesk/issues/{issue}/triage",
    "/helpdesk/issues/{issue}/vote",
    "/helpdesk/issues/{issue}/subscribe",
    "/helpdesk/issues/{issue}/hide",
    "/helpdesk/issues/{issue}/report",
    "/helpdesk/comments/{comment}/hide",
    "/helpdesk/issues/bulk",
    "/helpdesk/issues/bulk/undo",
    "/helpdesk/preview",
    "/ckan-admin/helpdesk/reports/{report}/resolve",
    "/ckan-admin/helpdesk/reports/{report}/undo",
    "/helpdesk/issues/{issue}/reopen",
    "/ckan-admin/helpdesk/notifications/test",
    "/dashboard/helpdesk/email",
    "/organization/{org}/helpdesk/settings",
    "/organization/{org}/helpdesk/webhooks/new",
    "/organization/{org}/helpdesk/webhooks/{webhook}/rotate",
    "/organization/{org}/helpdesk/webhooks/{webhook}/delete",
]


@whatever_ignore_extensions
@pytest.mark.parametrize("form", FORMS)
def test_post_without_csrf_token_is_refused(visitor, portal, targets, form,
                                            ignore_extensions):
    visitor.sign_in(portal["editor"])

    response = visitor.post(form.format(**targets), {
        "title": "x", "body": "x", "status": "resolved", "vote": "1",
        "issue_id": targets["issue"], "text": "x", "action": "hide",
        "hidden": "1", "reason": "x", "category": "question",
        "description": "x"}, csrf=False)

    assert response.status_code == 400
    assert "CSRF" in response.body


def test_every_help_desk_form_is_covered(app):
    """A new POST route must be added to FORMS above."""
    posted = {rule.rule for rule in app.flask_app.url_map.iter_rules()
              if "POST" in rule.methods and rule.endpoint.startswith(
                  ("helpdesk.", "helpdesk_queue.", "helpdesk_moderation.",
                   "helpdesk_notify.", "helpdesk_settings.",
                   "helpdesk_webhooks."))
              and rule.endpoint not in EMAIL_LINKS}
    listed = {form.replace("{dataset}", "<id>")
              .replace("{org}", "<id>").replace("{issue}", "<issue_id>")
              .replace("{comment}", "<comment_id>")
              .replace("{report}", "<report_id>")
              .replace("{webhook}", "<webhook_id>") for form in FORMS}

    assert posted == listed


@pytest.mark.parametrize("form", [
    "/helpdesk/issues/{issue}/vote", "/helpdesk/issues/{issue}/triage",
    "/helpdesk/issues/bulk",
])
def test_state_changes_refuse_get(visitor, targets, form):
    assert visitor.get(form.format(**targets)).status_code in (404, 405)


@whatever_ignore_extensions
def test_forged_post_neither_closes_an_issue_nor_adds_an_internal_note(
        visitor, portal, targets, ignore_extensions):
    """What a cross-site form sends along: the editor's session cookie,
    no token."""
    visitor.sign_in(portal["editor"])
    issue = targets["issue"]

    closing = visitor.post(f"/helpdesk/issues/{issue}/triage",
                           {"status": "resolved"}, csrf=False)
    noting = visitor.post(f"/helpdesk/issues/{issue}/comment",
                          {"body": "Forged note", "internal": "1"},
                          csrf=False)

    assert (closing.status_code, noting.status_code) == (400, 400)
    shown = call_as(portal["editor"], "helpdesk_issue_show", id=issue)
    assert shown["status"] == "new"
    assert "Forged note" not in visitor.get(issue_url(shown)).body


@whatever_ignore_extensions
def test_signed_in_forms_with_the_token_still_work(
        visitor, portal, targets, ignore_extensions):
    visitor.sign_in(portal["editor"])
    issue = targets["issue"]

    noting = visitor.post(f"/helpdesk/issues/{issue}/comment",
                          {"body": "Checked with the publisher",
                           "internal": "1"})
    closing = visitor.post(f"/helpdesk/issues/{issue}/triage",
                           {"status": "resolved"})

    assert (noting.status_code, closing.status_code) == (200, 200)
    shown = call_as(portal["editor"], "helpdesk_issue_show", id=issue)
    assert shown["status"] == "resolved"
    assert "Checked with the publisher" in visitor.get(issue_url(shown)).body


@whatever_ignore_extensions
@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_report_form_needs_the_token_its_page_gives(
        visitor, portal, ignore_extensions):
    """An anonymous visitor gets a token in their session with the form,
    and the form is refused without it, like every other."""
    url = f"/dataset/{portal['dataset']['name']}/issues/new"
    report = {"category": "question", "title": "Where is 2020?",
              "description": "The series stops in 2019.",
              "reporter_name": "Ada", "reporter_email": "ada@example.org"}
    form = visitor.get(url)
    assert 'name="_csrf_token"' in form.body

    forged = visitor.post(url, report, csrf=False)
    sent = visitor.post(url, report)

    assert forged.status_code == 400 and "CSRF" in forged.body
    assert sent.status_code == 200 and "your report was sent" in sent.body
    found = tk.get_action("helpdesk_issue_search")(
        {"ignore_auth": True}, {"dataset_id": portal["dataset"]["id"],
                                "q": "2020"})
    assert found["count"] == 1
