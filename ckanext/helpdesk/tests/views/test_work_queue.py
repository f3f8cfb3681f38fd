"""The publisher's work queue: dataset-qualified numbers, assignee and
last-activity columns, the "waiting on us" flag, counts per status, no
default bulk status, and a bulk change that names what changed with an
undo."""
import re

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _comment(user, issue, body, internal=False):
    call_as(user, "helpdesk_comment_create", issue_id=issue["id"], body=body,
            internal=internal)


def _row(page, title):
    """The queue row of the issue titled `title`."""
    for row in re.findall(r'<tr class="helpdesk-issue.*?</tr>', page, re.S):
        if title in row:
            return row
    raise AssertionError(f"no row for {title}")


def test_queue_rows_show_the_dataset_qualified_number_assignee_and_activity(
        visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"],
                            title="Totals off")
    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            assignee=portal["editor"]["name"])
    visitor.sign_in(portal["editor"])

    page = visitor.get("/dashboard/issues").body

    row = _row(page, "Totals off")
    assert f"{portal['dataset']['name']}#1" in row
    assert "<th scope=\"col\">Assignee</th>" in page
    assert "<th scope=\"col\">Last activity</th>" in page
    assert portal["editor"]["name"] in re.search(
        r'helpdesk-assignee-cell"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert 'class="helpdesk-last-activity"' in row


def test_waiting_on_us_means_the_last_public_word_is_the_reporters(
        visitor, portal):
    reporter, editor = portal["reporter"], portal["editor"]
    factories.Issue(user=reporter, dataset_id=portal["dataset"]["id"],
                    title="Unanswered")
    answered = factories.Issue(user=reporter,
                               dataset_id=portal["dataset"]["id"],
                               title="Answered")
    _comment(editor, answered, "We are on it.")
    answered_back = factories.Issue(user=reporter,
                                    dataset_id=portal["dataset"]["id"],
                                    title="Reporter answered back")
    _comment(editor, answered_back, "Which stop?")
    _comment(reporter, answered_back, "Stop 12.")
    noted = factories.Issue(user=reporter, dataset_id=portal["dataset"]["id"],
                            title="Only a note")
    _comment(editor, noted, "Ask the depot.", internal=True)
    closed = factories.Issue(user=reporter, dataset_id=portal["dataset"]["id"],
                             title="Closed now")
    call_as(editor, "helpdesk_issue_update", id=closed["id"],
            status="resolved")
    visitor.sign_in(editor)

    page = visitor.get("/dashboard/issues?status=all").body

    waiting = {title: "Waiting on us" in _row(page, title) for title in (
        "Unanswered", "Answered", "Reporter answered back", "Only a note",
        "Closed now")}
    assert waiting == {"Unanswered": True, "Answered": False,
                       "Reporter answered back": True, "Only a note": True,
                       "Closed now": False}


def test_visitors_lists_show_no_waiting_flag(visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Unanswered")

    page = visitor.get(f"/organization/{portal['org']['name']}/issues").body

    assert "Unanswered" in page and "Waiting on us" not in page


def test_counts_per_status_cover_every_status_whatever_the_filter(
        visitor, portal):
    for title in ("One", "Two"):
        factories.Issue(user=portal["reporter"],
                        dataset_id=portal["dataset"]["id"], title=title)
    resolved = factories.Issue(user=portal["reporter"],
                               dataset_id=portal["dataset"]["id"],
                               title="Three")
    call_as(portal["editor"], "helpdesk_issue_update", id=resolved["id"],
            status="resolved")
    visitor.sign_in(portal["editor"])

    page = visitor.get("/dashboard/issues").body  # open ones by default

    counts = dict(re.findall(
        r'<a class="nav-link[^"]*"[^>]*>\s*([^<]+?) <span class="badge[^"]*">'
        r'(\d+)</span>', page))
    assert counts["Open"] == "2" and counts["New"] == "2"
    assert counts["Resolved"] == "1" and counts["Closed"] == "1"
    assert "Three" not in page


def test_the_bulk_status_has_no_default_and_an_empty_choice_changes_nothing(
        visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["editor"])
    page = visitor.get("/dashboard/issues").body
    assert re.search(r'<select[^>]*id="bulk-status"[^>]*required>\s*'
                     r'<option value="" selected>', page)

    response = visitor.post("/helpdesk/issues/bulk", {
        "issue_id": [issue["id"]], "status": ""})

    assert response.status_code == 400
    assert "status: choose the status" in response.body
    assert call_as(portal["editor"], "helpdesk_issue_update",
                   id=issue["id"])["status"] == "new"


def test_bulk_change_names_the_issues_and_its_undo_restores_them(
        visitor, portal):
    fresh = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"], title="A")
    original = factories.Issue(user=portal["reporter"],
                               dataset_id=portal["dataset"]["id"], title="B")
    copy = factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"], title="C")
    call_as(portal["editor"], "helpdesk_issue_update", id=copy["id"],
            duplicate_of=original["id"])
    visitor.sign_in(portal["editor"])
    name = portal["dataset"]["name"]

    page = visitor.post("/helpdesk/issues/bulk", {
        "issue_id": [fresh["id"], copy["id"]], "status": "resolved",
        "came_from": "/dashboard/issues"}, follow_redirects=True).body

    assert f"2 issues changed to Resolved: {name}#1, {name}#3." in page
    undo = re.search(r'<form method="post" action="/helpdesk/issues/bulk/'
                     r'undo">.*?</form>', page, re.S).group(0)
    restore = re.findall(r'name="restore" value="([^"]+)"', undo)
    assert len(restore) == 2

    page = visitor.post("/helpdesk/issues/bulk/undo", {
        "restore": restore, "came_from": "/dashboard/issues"},
        follow_redirects=True).body

    assert f"Undone: {name}#1, {name}#3 are back" in page
    assert call_as(portal["editor"], "helpdesk_issue_update",
                   id=fresh["id"])["status"] == "new"
    restored = call_as(portal["editor"], "helpdesk_issue_update",
                       id=copy["id"])
    assert restored["status"] == "duplicate"
    assert restored["duplicate_of_id"] == original["id"]


def test_the_undo_is_shown_once(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["editor"])

    first = visitor.post("/helpdesk/issues/bulk", {
        "issue_id": [issue["id"]], "status": "acknowledged"},
        follow_redirects=True).body
    second = visitor.get("/dashboard/issues").body

    assert "helpdesk-bulk-undo" in first
    assert "helpdesk-bulk-undo" not in second


def test_an_undo_by_an_outsider_changes_nothing(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    visitor.sign_in(portal["reporter"])

    page = visitor.post("/helpdesk/issues/bulk/undo", {
        "restore": [f"{issue['id']}:new:"]}, follow_redirects=True).body

    assert "1 issue could not be changed." in page
    assert call_as(portal["editor"], "helpdesk_issue_update",
                   id=issue["id"])["status"] == "resolved"
