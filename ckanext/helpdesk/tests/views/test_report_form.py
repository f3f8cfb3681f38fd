"""Reporting an issue, requesting data, and the Markdown preview."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import field_error

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

REPORT = {"category": "data-problem", "title": "Totals do not add up",
          "description": "Row *12* is wrong."}


def _new_issue_url(portal):
    return f"/dataset/{portal['dataset']['name']}/issues/new"


def test_signed_in_user_reports_and_gets_a_confirmation_with_the_link(
        visitor, portal):
    visitor.sign_in(portal["reporter"])
    resource_id = portal["dataset"]["resources"][0]["id"]

    response = visitor.post(_new_issue_url(portal),
                            dict(REPORT, resource_id=resource_id),
                            follow_redirects=True)

    assert response.status_code == 200
    assert "your report was sent" in response.body
    issue_path = f"/dataset/{portal['dataset']['name']}/issues/1"
    assert issue_path in response.body
    issue_page = visitor.get(issue_path).body
    assert "Totals do not add up" in issue_page
    assert "<em>12</em>" in issue_page
    assert "a.csv" in issue_page


def test_refused_report_keeps_what_was_typed_and_marks_each_field(
        visitor, portal):
    visitor.sign_in(portal["reporter"])

    response = visitor.post(_new_issue_url(portal), {
        "category": "nonsense", "title": "",
        "description": "Something I typed carefully"})

    page = response.body
    assert response.status_code == 200
    assert "Something I typed carefully" in page
    assert field_error(page, "field-title")
    assert field_error(page, "field-category")
    assert not field_error(page, "field-description")


def test_visitor_is_asked_to_sign_in_when_anonymous_reports_are_off(
        visitor, portal):
    form = visitor.get(_new_issue_url(portal))
    refused = visitor.post(_new_issue_url(portal), REPORT)

    assert form.status_code == 403 and "Sign in to report" in form.body
    assert refused.status_code == 403
    listing = visitor.get(f"/dataset/{portal['dataset']['name']}/issues")
    assert "Totals do not add up" not in listing.body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_visitor_reports_with_name_and_email_when_allowed(
        visitor, portal, make_visitor):
    form = visitor.get(_new_issue_url(portal)).body
    assert 'name="reporter_email"' in form

    response = visitor.post(_new_issue_url(portal), dict(
        REPORT, reporter_name="Ada", reporter_email="ada@example.org"),
        follow_redirects=True)

    assert "your report was sent" in response.body
    issue_page = make_visitor().get(
        f"/dataset/{portal['dataset']['name']}/issues/1").body
    assert "Ada" in issue_page
    assert "ada@example.org" not in issue_page  # never shown publicly


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_report_needs_a_name_and_an_email(visitor, portal):
    response = visitor.post(_new_issue_url(portal), dict(
        REPORT, reporter_email="not an email"))

    page = response.body
    assert 'value="not an email"' in page
    assert field_error(page, "field-reporter-email")
    assert field_error(page, "field-reporter-name")


def test_data_request_from_the_organization_page(visitor, portal):
    org = portal["org"]
    assert "Request data" in visitor.get(f"/organization/{org['name']}").body
    visitor.sign_in(portal["reporter"])

    response = visitor.post(f"/organization/{org['name']}/issues/request", {
        "category": "data-request", "title": "Bus stop locations",
        "description": "As CSV please."}, follow_redirects=True)

    assert f"/organization/{org['name']}/requests/1" in response.body
    page = visitor.get(f"/organization/{org['name']}/requests/1").body
    assert "Bus stop locations" in page and "A request for data" in page


def test_preview_renders_markdown_sanitised(visitor, portal):
    visitor.sign_in(portal["reporter"])  # the preview is for reporters
    response = visitor.post("/helpdesk/preview", {
        "text": "**bold** <script>window.__xss=1</script>"
                "[x](javascript:alert(1))"})

    assert "<strong>bold</strong>" in response.body
    assert "<script" not in response.body
    # The refused link stays visible as inert text.
    assert 'href="javascript' not in response.body


def test_issue_page_links_back_from_the_list(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])

    listing = visitor.get(f"/dataset/{portal['dataset']['name']}/issues")

    assert f"/dataset/{portal['dataset']['name']}/issues/{issue['number']}" \
        in listing.body
