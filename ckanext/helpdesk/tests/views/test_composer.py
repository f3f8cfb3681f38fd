"""The publisher's composer on the issue page: "Public reply | Internal
note" as explicit tabs, status and assignee beside the submit buttons,
"Reply and resolve"."""
import re

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import field_error, issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def issue(portal):
    return factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"])


def _composer(page):
    return re.search(r'<section class="helpdesk-composer.*?</section>', page,
                     re.S).group(0)


def _post(visitor, issue, **form):
    return visitor.post(f"/helpdesk/issues/{issue['id']}/triage", form,
                        follow_redirects=True)


def test_publisher_gets_one_composer_with_tabs_and_status_beside_submit(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])
    page = visitor.get(issue_url(issue)).body

    composer = _composer(page)
    assert 'id="composer-public"' in composer and "Public reply" in composer
    assert 'id="composer-internal"' in composer and "Internal note" in composer
    assert 'id="field-status"' in composer
    assert 'id="field-assignee"' in composer
    assert "Reply and resolve" in composer
    # One place to write: no second comment form beside it.
    assert "Add a comment" not in page
    assert page.count('name="comment"') == 1


def test_people_who_do_not_triage_keep_the_plain_comment_form(
        visitor, portal, issue):
    visitor.sign_in(portal["reporter"])
    page = visitor.get(issue_url(issue)).body

    assert "helpdesk-composer" not in page
    assert "Add a comment" in page
    assert "Internal note" not in page


def test_reply_and_resolve_posts_the_reply_and_resolves_with_it(
        visitor, make_visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    page = _post(visitor, issue, comment="Fixed in today's file.",
                 internal="0", status="new", assignee="", resolve="1").body

    assert "Your reply was posted and the issue resolved." in page
    public = make_visitor().get(issue_url(issue)).body
    assert "Fixed in today's file." in public
    assert "changed the status from New to Resolved" in public
    shown = call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"])
    assert shown["status"] == "resolved"
    assert shown["closing_comment"]["body"] == "Fixed in today's file."


def test_an_internal_note_with_a_status_change_stays_inside_the_organization(
        visitor, make_visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    page = _post(visitor, issue, comment="Ask the operator first.",
                 internal="1", status="acknowledged",
                 assignee=portal["editor"]["name"]).body

    assert "only the organization sees it" in page
    assert "Ask the operator first." in page
    public = make_visitor().get(issue_url(issue)).body
    assert "Ask the operator first." not in public
    assert "changed the status from New to Acknowledged" in public
    assert f"Assigned to {portal['editor']['name']}" in public


def test_resolving_with_an_internal_note_publishes_no_closing_reply(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    _post(visitor, issue, comment="Spam, really.", internal="1", resolve="1")

    shown = call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"])
    assert shown["status"] == "resolved"
    assert shown["closing_comment"] is None
    assert shown["comment_count"] == 0


def test_a_reply_from_the_composer_keeps_the_issue_a_duplicate(
        visitor, portal, issue):
    original = factories.Issue(user=portal["reporter"],
                               dataset_id=portal["dataset"]["id"],
                               title="The first report")
    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            duplicate_of=original["id"])
    visitor.sign_in(portal["editor"])

    _post(visitor, issue, comment="See the first report.", internal="0",
          status="duplicate", assignee="")

    shown = call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"])
    assert shown["status"] == "duplicate"
    assert shown["duplicate_of_id"] == original["id"]


def test_an_empty_composer_post_is_refused_beside_the_status_keeping_the_tab(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    response = visitor.post(f"/helpdesk/issues/{issue['id']}/triage", {
        "comment": "A note kept", "internal": "1", "status": "bogus"})

    assert response.status_code == 400
    assert field_error(response.body, "field-status")
    composer = _composer(response.body)
    assert "A note kept" in composer
    assert re.search(r'id="composer-internal"[^>]*checked', composer)
