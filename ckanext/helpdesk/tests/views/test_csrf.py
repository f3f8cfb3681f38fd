"""Every form of the help desk refuses a POST without CKAN's CSRF token
(test.ini runs with ckan.csrf_protection.ignore_extensions = false), and
every state change needs a POST."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.views.conftest import create_issue

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def targets(portal):
    """The ids the form URLs need."""
    issue = create_issue(portal["reporter"], portal["dataset"])
    comment = tk.get_action("helpdesk_comment_create")(
        {"user": portal["editor"]["name"]},
        {"issue_id": issue["id"], "body": "Hello"})
    report = tk.get_action("helpdesk_abuse_report_create")(
        {"user": portal["reporter"]["name"]},
        {"issue_id": issue["id"], "reason": "Spam"})
    return {"dataset": portal["dataset"]["name"],
            "org": portal["org"]["name"], "issue": issue["id"],
            "comment": comment["id"], "report": report["id"]}


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
    "/helpdesk/preview",
    "/ckan-admin/helpdesk/reports/{report}/resolve",
]


@pytest.mark.parametrize("form", FORMS)
def test_post_without_csrf_token_is_refused(visitor, portal, targets, form):
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
                  ("helpdesk.", "helpdesk_queue.", "helpdesk_moderation."))}
    listed = {form.replace("{dataset}", "<id>")
              .replace("{org}", "<id>").replace("{issue}", "<issue_id>")
              .replace("{comment}", "<comment_id>")
              .replace("{report}", "<report_id>") for form in FORMS}

    assert posted == listed


@pytest.mark.parametrize("form", [
    "/helpdesk/issues/{issue}/vote", "/helpdesk/issues/{issue}/triage",
    "/helpdesk/issues/bulk",
])
def test_state_changes_refuse_get(visitor, targets, form):
    assert visitor.get(form.format(**targets)).status_code in (404, 405)
