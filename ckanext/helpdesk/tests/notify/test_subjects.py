"""Email subjects describe the change each notification recorded, and a
reopened issue tells whoever works on it, read from the real SMTP server."""
import pytest

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    delivered, subject_of, text_of)

SITE = "[Helpdesk Test Portal]"


def test_an_email_sent_after_a_later_change_keeps_its_status_in_the_subject(
        people, report, mail, run_jobs):
    issue = report()
    run_jobs()
    mail.clear()

    # Two changes before the worker runs: the first email goes out when
    # the issue is Resolved already.
    call_as(people["editor"], "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")
    call_as(people["editor"], "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    run_jobs()

    messages = [message for _to, message in mail.wait_for(2)]
    assert len(messages) == 2
    by_subject = {subject_of(message): text_of(message)
                  for message in messages}
    assert set(by_subject) == {
        f"{SITE} Issue #1 is now Acknowledged: Stop 12 is missing",
        f"{SITE} Issue #1 is now Resolved: Stop 12 is missing"}
    assert "Status: New -> Acknowledged" in by_subject[
        f"{SITE} Issue #1 is now Acknowledged: Stop 12 is missing"]
    assert "Status: Acknowledged -> Resolved" in by_subject[
        f"{SITE} Issue #1 is now Resolved: Stop 12 is missing"]


@pytest.fixture
def resolved(people, report, mail, run_jobs):
    """The reporter's issue, assigned to the editor and resolved by the
    admin, its emails sent."""
    issue = report()
    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            assignee=people["editor"]["name"])
    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Back on the map.")
    run_jobs()
    mail.clear()
    return issue


def test_reopening_tells_the_assignee_that_it_was_reopened(
        people, resolved, mail, run_jobs):
    call_as(people["reporter"], "helpdesk_issue_reopen", id=resolved["id"],
            comment="Still not on the map at the station.")
    run_jobs()

    # The admin follows the issue since replying to it.
    emails = delivered(mail, 2)
    assert set(emails) == {people["editor"]["email"],
                           people["admin"]["email"]}
    for message in emails.values():
        assert subject_of(message) == (
            f"{SITE} Issue #1 was reopened: Stop 12 is missing")
    body = text_of(emails[people["editor"]["email"]])
    assert "because the issue is assigned to you" in body
    assert "Rita Reporter reopened an issue about Bus stops:" in body
    assert "Status: Resolved -> New" in body
    assert "Still not on the map at the station." in body


def test_reopening_an_unassigned_issue_tells_the_publishers(
        people, report, mail, run_jobs):
    issue = report()
    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="wont_fix")
    run_jobs()
    mail.clear()

    call_as(people["reporter"], "helpdesk_issue_reopen", id=issue["id"])
    run_jobs()

    emails = delivered(mail, 2)
    assert set(emails) == {people["admin"]["email"],
                           people["editor"]["email"]}
    for message in emails.values():
        assert subject_of(message) == (
            f"{SITE} Issue #1 was reopened: Stop 12 is missing")
