"""A home for reporters: "My issues" on the dashboard of someone who edits
no organization, "Reported by me" on /issues, and the unread marker that
signed-in users see when an issue they follow changed."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import issue_url, make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

MARKER = "helpdesk-unread-marker"
UNREAD = "Updated since you last looked</span>"


def reply(user, issue, body="We are looking into it."):
    return call_as(user, "helpdesk_comment_create", issue_id=issue["id"],
                   body=body)


def test_my_issues_lists_what_i_reported_subscribed_to_or_voted_on(
        visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Mine")
    voted = factories.Issue(user=portal["editor"],
                            dataset_id=portal["dataset"]["id"], title="Voted")
    factories.Issue(user=portal["editor"], dataset_id=portal["dataset"]["id"],
                    title="Not followed")
    call_as(portal["reporter"], "helpdesk_issue_vote", id=voted["id"])
    visitor.sign_in(portal["reporter"])

    page = visitor.get("/dashboard/issues").body

    assert "My issues" in page
    assert "Mine" in page and "Voted" in page
    assert "Not followed" not in page


def test_my_issues_flags_the_reply_until_the_reporter_reads_it(visitor,
                                                               portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"],
                            title="Wrong totals")
    visitor.sign_in(portal["reporter"])
    assert UNREAD not in visitor.get("/dashboard/issues").body

    reply(portal["editor"], issue)
    page = visitor.get("/dashboard/issues").body
    assert UNREAD in page
    assert "Issues (1)" in page  # the dashboard's tab
    only_unread = visitor.get("/dashboard/issues?unread=1").body
    assert "Wrong totals" in only_unread

    visitor.get(issue_url(issue))
    assert UNREAD not in visitor.get("/dashboard/issues").body
    assert "Wrong totals" not in visitor.get(
        "/dashboard/issues?unread=1").body


def test_the_header_marks_a_change_on_a_followed_issue_on_every_page(
        visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["reporter"])
    assert MARKER not in visitor.get("/dataset/").body

    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")
    assert MARKER in visitor.get("/dataset/").body

    visitor.get(issue_url(issue))
    assert MARKER not in visitor.get("/dataset/").body


def test_an_internal_note_lights_no_marker_for_the_reporter(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    call_as(portal["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Ask the supplier", internal=True)
    visitor.sign_in(portal["reporter"])

    assert MARKER not in visitor.get("/dataset/").body
    assert UNREAD not in visitor.get("/dashboard/issues").body


def test_publishers_keep_their_queue(visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="To triage")
    visitor.sign_in(portal["editor"])

    page = visitor.get("/dashboard/issues").body

    assert "To triage" in page
    assert "My issues" not in page


def test_reported_by_me_keeps_only_the_users_reports(visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Mine")
    factories.Issue(user=make_user(), dataset_id=portal["dataset"]["id"],
                    title="Somebody's")
    visitor.sign_in(portal["reporter"])
    assert 'name="reporter" value="me"' in visitor.get("/issues").body

    page = visitor.get("/issues?reporter=me").body

    assert "Mine" in page
    assert "Somebody&#39;s" not in page and "Somebody's" not in page


def test_reported_by_me_asks_visitors_to_sign_in(visitor, portal):
    assert 'name="reporter"' not in visitor.get("/issues").body

    response = visitor.get("/issues?reporter=me", follow_redirects=True)

    assert 'id="field-login"' in response.body
