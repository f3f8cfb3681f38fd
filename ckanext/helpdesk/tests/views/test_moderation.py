"""The sysadmin's moderation queue."""
import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.views.conftest import PASSWORD, create_issue, \
    issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def reported_issue(visitor, portal):
    issue = create_issue(portal["reporter"], portal["dataset"],
                         title="Buy cheap pills")
    visitor.sign_in(portal["reporter"])
    visitor.post(f"/helpdesk/issues/{issue['id']}/report",
                 {"reason": "Spam link"})
    return issue


@pytest.fixture
def moderator(make_visitor):
    return make_visitor().sign_in(factories.Sysadmin(password=PASSWORD))


def test_reported_issue_appears_in_the_moderation_queue(
        reported_issue, moderator):
    page = moderator.get("/ckan-admin/helpdesk/reports").body

    assert "Spam link" in page and "Buy cheap pills" in page


def test_moderator_hides_the_reported_issue(reported_issue, moderator,
                                            make_visitor):
    page = moderator.get("/ckan-admin/helpdesk/reports").body
    report_id = page.split("/ckan-admin/helpdesk/reports/")[1].split("/")[0]

    moderator.post(f"/ckan-admin/helpdesk/reports/{report_id}/resolve",
                   {"action": "hide"})

    assert "Nothing has been reported" in moderator.get(
        "/ckan-admin/helpdesk/reports").body
    assert make_visitor().get(issue_url(reported_issue)).status_code == 404


def test_moderation_queue_is_for_sysadmins_only(visitor, portal):
    visitor.sign_in(portal["editor"])

    assert visitor.get("/ckan-admin/helpdesk/reports").status_code == 403


def test_reported_comment_appears_and_can_be_hidden(visitor, make_visitor,
                                                    portal, moderator):
    issue = create_issue(portal["reporter"], portal["dataset"])
    author = make_visitor().sign_in(portal["editor"])
    author.post(f"/helpdesk/issues/{issue['id']}/comment",
                {"body": "Rude words here"})
    page = visitor.sign_in(portal["reporter"]).get(issue_url(issue)).body
    comment_id = page.split('name="comment_id" value="')[1].split('"')[0]
    visitor.post(f"/helpdesk/issues/{issue['id']}/report",
                 {"reason": "Insulting", "comment_id": comment_id})

    queue = moderator.get("/ckan-admin/helpdesk/reports").body
    assert "Insulting" in queue and "Rude words here" in queue
    report_id = queue.split("/ckan-admin/helpdesk/reports/")[1].split("/")[0]
    moderator.post(f"/ckan-admin/helpdesk/reports/{report_id}/resolve",
                   {"action": "hide"})

    assert "Rude words here" not in make_visitor().get(issue_url(issue)).body
