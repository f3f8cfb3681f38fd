"""The moderation queues: the sysadmin's, and an organization admin's
of the reports about their own organization."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import (
    PASSWORD, issue_url, make_user)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def reported_issue(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"],
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
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
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


def _report_ids(page):
    return [part.split("/")[0] for part in
            page.split("/ckan-admin/helpdesk/reports/")[1:]]


def test_organization_admin_moderates_own_reports_from_the_dashboard(
        visitor, make_visitor, portal):
    admin = make_user()
    tk.get_action("organization_member_create")({"ignore_auth": True}, {
        "id": portal["org"]["id"], "username": admin["name"],
        "role": "admin"})
    other_org = factories.Organization()
    other_dataset = factories.Dataset(owner_org=other_org["id"])
    ours = factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"],
                           title="Buy cheap pills")
    theirs = factories.Issue(user=portal["reporter"],
                             dataset_id=other_dataset["id"],
                             title="Cheap watches")
    visitor.sign_in(portal["editor"])
    for issue in (ours, theirs):
        visitor.post(f"/helpdesk/issues/{issue['id']}/report",
                     {"reason": "Spam link"})
    moderator = make_visitor().sign_in(admin)

    assert "/dashboard/helpdesk/reports" in moderator.get(
        "/dashboard/datasets").body
    queue = moderator.get("/dashboard/helpdesk/reports").body
    assert "Buy cheap pills" in queue and "Cheap watches" not in queue
    [report_id] = _report_ids(queue)
    sysadmin = make_visitor().sign_in(factories.Sysadmin(password=PASSWORD))
    [theirs_id] = [rid for rid in _report_ids(
        sysadmin.get("/ckan-admin/helpdesk/reports").body)
        if rid != report_id]
    refused = moderator.post(
        f"/ckan-admin/helpdesk/reports/{theirs_id}/resolve",
        {"action": "hide"})
    assert refused.status_code == 403

    moderator.post(f"/ckan-admin/helpdesk/reports/{report_id}/resolve",
                   {"action": "hide"})

    assert make_visitor().get(issue_url(ours)).status_code == 404
    assert make_visitor().get(issue_url(theirs)).status_code == 200


@pytest.mark.ckan_config("ckanext.helpdesk.moderation.hold_first_post", True)
def test_a_new_accounts_first_report_is_held_and_its_author_told(
        visitor, make_visitor, portal):
    visitor.sign_in(make_user())

    sent = visitor.post(
        f"/dataset/{portal['dataset']['name']}/issues/new",
        {"category": "data-problem", "title": "Wrong totals",
         "description": "Row 12 counts twice."})

    assert "A moderator will read it before it is published" in sent.body
    assert make_visitor().get(
        f"/dataset/{portal['dataset']['name']}/issues/1").status_code == 404
