"""Emails about internal notes say so in the subject, before they are
opened: a note written from the composer or as a comment is never read as
a public reply."""
import pytest

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    delivered, subject_of, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def issue(report, mail, run_jobs):
    issue = report()
    run_jobs()
    mail.clear()
    return issue


@pytest.mark.parametrize("action, key, body", [
    ("helpdesk_comment_create", "issue_id", "body"),
    # The composer's note, posted with a change.
    ("helpdesk_issue_update", "id", "comment"),
])
def test_an_internal_note_email_says_internal_note_in_its_subject(
        people, issue, mail, run_jobs, action, key, body):
    call_as(people["editor"], action, internal=True,
            **{key: issue["id"], body: "The reporter is right."})
    run_jobs()

    message = delivered(mail, 1)[people["admin"]["email"]]
    assert subject_of(message) == (
        "[Helpdesk Test Portal] Internal note on #1 (Bus stops): "
        "Stop 12 is missing")
    assert "internal note, for the organization only" in text_of(message)


def test_a_public_comment_email_keeps_the_comment_subject(
        people, issue, mail, run_jobs):
    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Fixed tomorrow.")
    run_jobs()

    emails = delivered(mail, 2)
    for message in emails.values():
        assert "New comment on #1" in subject_of(message)
        assert "Internal note" not in subject_of(message)
