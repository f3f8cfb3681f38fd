"""Moderation rows name the author of what was reported and link to the
reported comment; each decision is confirmed, naming it, with an undo; the
admin navigation shows how many reports wait."""
import re

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import (
    PASSWORD, issue_url, make_user)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

QUEUE = "/ckan-admin/helpdesk/reports"


@pytest.fixture
def moderator(make_visitor):
    return make_visitor().sign_in(factories.Sysadmin(password=PASSWORD))


@pytest.fixture
def reported_comment(visitor, portal):
    """An issue with a comment by a named user, reported as abusive."""
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    author = make_user(fullname="Troll Tom")
    comment = call_as(author, "helpdesk_comment_create", issue_id=issue["id"],
                      body="Buy cheap pills")
    visitor.sign_in(portal["reporter"])
    visitor.post(f"/helpdesk/issues/{issue['id']}/report",
                 {"reason": "Spam link", "comment_id": comment["id"]})
    return issue, comment


def _report_id(page):
    return re.search(r"/ckan-admin/helpdesk/reports/([^/]+)/resolve",
                     page).group(1)


def test_a_row_names_the_author_and_links_to_the_reported_comment(
        reported_comment, moderator):
    issue, comment = reported_comment

    page = moderator.get(QUEUE).body

    row = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)
    assert "Troll Tom" in re.search(
        r'helpdesk-reported-author"[^>]*>(.*?)</td>', row, re.S).group(1)
    link = re.search(r'class="small helpdesk-reported-link" href="([^"]+)"',
                     row).group(1)
    assert link.endswith(f"#comment-{comment['id']}")
    target = moderator.get(link.split("#")[0], follow_redirects=True).body
    assert f'id="comment-{comment["id"]}"' in target


def test_a_row_about_an_issue_names_its_reporter(visitor, portal, moderator):
    issue = factories.Issue(user=make_user(fullname="Spammy Sam"),
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["reporter"])
    visitor.post(f"/helpdesk/issues/{issue['id']}/report",
                 {"reason": "Spam"})

    page = moderator.get(QUEUE).body

    assert "Spammy Sam" in re.search(
        r'helpdesk-reported-author"[^>]*>(.*?)</td>', page, re.S).group(1)


def test_a_decision_is_confirmed_by_name_and_its_undo_restores_it(
        reported_comment, moderator, make_visitor, portal):
    issue, _comment = reported_comment
    report_id = _report_id(moderator.get(QUEUE).body)

    page = moderator.post(f"{QUEUE}/{report_id}/resolve", {
        "action": "hide", "came_from": QUEUE}, follow_redirects=True).body

    name = portal["dataset"]["name"]
    assert f"Hidden: the comment by Troll Tom on {name}#1." in page
    assert "Nothing has been reported" in page
    assert "Buy cheap pills" not in make_visitor().get(issue_url(issue)).body
    undo = re.search(r'<form method="post" action="([^"]+/undo)">.*?'
                     r'name="hidden" value="(\w+)"', page, re.S)
    assert undo.group(2) == "false"  # shown before the decision

    page = moderator.post(undo.group(1), {
        "hidden": undo.group(2), "came_from": QUEUE},
        follow_redirects=True).body

    assert "Undone: the report is back in the queue." in page
    assert "Spam link" in page
    assert "Buy cheap pills" in make_visitor().get(issue_url(issue)).body


def test_the_confirmation_is_shown_once(reported_comment, moderator):
    report_id = _report_id(moderator.get(QUEUE).body)

    first = moderator.post(f"{QUEUE}/{report_id}/resolve", {
        "action": "dismiss", "came_from": QUEUE}, follow_redirects=True).body

    assert "Report dismissed; left as it is" in first
    assert "helpdesk-decision" not in moderator.get(QUEUE).body


def test_someone_who_may_not_moderate_cannot_undo(reported_comment,
                                                  moderator, visitor):
    report_id = _report_id(moderator.get(QUEUE).body)
    moderator.post(f"{QUEUE}/{report_id}/resolve", {"action": "hide"})

    response = visitor.post(f"{QUEUE}/{report_id}/undo", {"hidden": "false"})

    assert response.status_code == 403
    assert "Nothing has been reported" in moderator.get(QUEUE).body


def test_the_admin_navigation_counts_the_waiting_reports(
        reported_comment, moderator):
    assert "Help desk moderation (1)" in moderator.get("/ckan-admin").body
    moderator.post(f"{QUEUE}/{_report_id(moderator.get(QUEUE).body)}/resolve",
                   {"action": "dismiss"})

    page = moderator.get("/ckan-admin").body

    assert "Help desk moderation" in page
    assert "Help desk moderation (" not in page
