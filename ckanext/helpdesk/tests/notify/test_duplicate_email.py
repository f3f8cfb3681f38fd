"""The "marked as duplicate" email quotes the original issue only to
recipients who may see it when the email is sent; others read "another
issue", without its title."""
import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import delivered, text_of

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SECRET = "Budget line 7 of the closed tender"


def _bodies(message):
    return text_of(message) + message.get_body(("html",)).get_content()


def _mark_duplicate(people, duplicate, original):
    call_as(people["admin"], "helpdesk_issue_update", id=duplicate["id"],
            status="duplicate", duplicate_of=original["id"])


def test_a_duplicate_email_does_not_quote_an_original_on_a_private_dataset(
        people, report, mail, run_jobs):
    private = factories.Dataset(owner_org=people["organization"]["id"],
                                private=True)
    original = call_as(people["member"], "helpdesk_issue_create",
                       dataset_id=private["id"], category="question",
                       title=SECRET, description="?")
    duplicate = report(title="Where is stop 12?")
    run_jobs()
    mail.clear()

    _mark_duplicate(people, duplicate, original)
    run_jobs()

    message = delivered(mail, 1)[people["reporter"]["email"]]
    assert SECRET not in _bodies(message)
    assert "Marked as a duplicate of another issue." in text_of(message)


def test_a_duplicate_email_quotes_the_original_only_to_who_may_see_it_now(
        people, report, mail, run_jobs):
    other = factories.Dataset(owner_org=people["organization"]["id"])
    original = call_as(people["follower"], "helpdesk_issue_create",
                       dataset_id=other["id"], category="question",
                       title=SECRET, description="?")
    duplicate = report(title="Where is stop 12?")
    call_as(people["member"], "helpdesk_issue_subscribe", id=duplicate["id"])
    run_jobs()
    mail.clear()

    _mark_duplicate(people, duplicate, original)
    # The original's dataset goes private before the worker sends.
    call_as(people["admin"], "package_patch", id=other["id"], private=True)
    run_jobs()

    emails = delivered(mail, 2)
    assert SECRET not in _bodies(emails[people["reporter"]["email"]])
    assert "Marked as a duplicate of another issue." in text_of(
        emails[people["reporter"]["email"]])
    # A member of the organization may still see it.
    assert f"Marked as a duplicate of #1 {SECRET}" in text_of(
        emails[people["member"]["email"]])
