"""The issue page: conversation, +1, subscribe, and the organization's
triage (status, assignee, duplicate-of, internal notes, hiding)."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import field_error, issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def issue(portal):
    return factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"],
                           title="Wrong totals",
                           description="The 2019 totals are off.")


def test_visitor_reads_the_issue_without_the_triage_panel(visitor, issue):
    page = visitor.get(issue_url(issue)).body

    assert "Wrong totals" in page and "The 2019 totals are off." in page
    assert "Manage this issue" not in page
    assert "Sign in to comment" in page


def test_editor_assigns_changes_status_and_replies_in_one_go(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])
    page = visitor.get(issue_url(issue)).body
    assert "Manage this issue" in page

    response = visitor.post(f"/helpdesk/issues/{issue['id']}/triage", {
        "status": "in_progress", "assignee": portal["editor"]["name"],
        "duplicate_of": "", "comment": "Looking into it."},
        follow_redirects=True)

    page = response.body
    assert "Your reply was posted." in page
    assert "In progress" in page
    assert f"Assigned to {portal['editor']['name']}" in page
    assert "Looking into it." in page
    assert "changed the status from New to In progress" in page


def test_triage_refuses_an_unknown_duplicate_beside_the_field(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    response = visitor.post(f"/helpdesk/issues/{issue['id']}/triage", {
        "status": "duplicate", "assignee": "", "duplicate_of": "99"})

    assert response.status_code == 400
    assert field_error(response.body, "field-duplicate-of")


def test_triage_by_someone_outside_the_organization_is_refused(
        visitor, portal, issue):
    visitor.sign_in(portal["reporter"])

    response = visitor.post(f"/helpdesk/issues/{issue['id']}/triage", {
        "status": "resolved"})

    assert response.status_code == 403


def test_comments_and_internal_notes(visitor, make_visitor, portal, issue):
    visitor.sign_in(portal["editor"])
    visitor.post(f"/helpdesk/issues/{issue['id']}/comment",
                 {"body": "Public answer"})
    visitor.post(f"/helpdesk/issues/{issue['id']}/comment",
                 {"body": "Only for us", "internal": "1"})

    editor_page = visitor.get(issue_url(issue)).body
    public_page = make_visitor().get(issue_url(issue)).body

    assert "Public answer" in editor_page and "Only for us" in editor_page
    assert "Public answer" in public_page
    assert "Only for us" not in public_page


def test_empty_comment_is_refused_beside_the_field(visitor, portal, issue):
    visitor.sign_in(portal["reporter"])

    response = visitor.post(f"/helpdesk/issues/{issue['id']}/comment",
                            {"body": ""})

    assert response.status_code == 400
    assert field_error(response.body, "field-comment-body")


def test_vote_and_subscribe_toggle(visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    voted = visitor.post(f"/helpdesk/issues/{issue['id']}/vote",
                         {"vote": "1"}, follow_redirects=True).body
    subscribed = visitor.post(f"/helpdesk/issues/{issue['id']}/subscribe",
                              {"subscribe": "1"}, follow_redirects=True).body
    unvoted = visitor.post(f"/helpdesk/issues/{issue['id']}/vote",
                           {"vote": "0"}, follow_redirects=True).body

    assert "+1 (1)" in voted
    assert "Unsubscribe" in subscribed
    assert "+1 (0)" in unvoted


def test_hidden_issue_disappears_for_visitors(visitor, make_visitor, portal,
                                              issue):
    visitor.sign_in(portal["editor"])
    visitor.post(f"/helpdesk/issues/{issue['id']}/hide", {"hidden": "1"})

    assert make_visitor().get(issue_url(issue)).status_code == 404
    assert "Hidden" in visitor.get(issue_url(issue)).body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_visitor_comments_with_name_and_email_when_allowed(
        visitor, make_visitor, issue):
    response = visitor.post(f"/helpdesk/issues/{issue['id']}/comment", {
        "body": "Same here.", "author_name": "Ada",
        "author_email": "ada@example.org"}, follow_redirects=True)

    assert "Same here." in response.body and "Ada" in response.body
    assert "ada@example.org" not in make_visitor().get(issue_url(issue)).body


def test_anonymous_comment_is_refused_when_reports_need_an_account(
        visitor, issue):
    response = visitor.post(f"/helpdesk/issues/{issue['id']}/comment", {
        "body": "Same here.", "author_name": "Ada",
        "author_email": "ada@example.org"})

    assert response.status_code == 403
