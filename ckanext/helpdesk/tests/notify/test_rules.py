"""Who is told about what: each rule creates the event, runs a real RQ
worker and reads what the real SMTP server received."""
import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.model import Subscription
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    confirm_address, delivered, notifications, subject_of, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _link(people, number):
    """The issue's page on the test site."""
    name = people["dataset"]["name"]
    return f"http://127.0.0.1:5050/dataset/{name}/issues/{number}"


def test_new_issue_tells_admins_and_editors_and_confirms_to_reporter(
        people, report, mail, run_jobs):
    issue = report()
    run_jobs()

    emails = delivered(mail, 3)
    admin, editor, reporter = (people[role]["email"]
                               for role in ("admin", "editor", "reporter"))
    assert set(emails) == {admin, editor, reporter}
    assert subject_of(emails[admin]) == (
        "[Helpdesk Test Portal] New issue #1 on Bus stops: "
        "Stop 12 is missing")
    assert subject_of(emails[reporter]) == (
        "[Helpdesk Test Portal] Your issue #1 was received: "
        "Stop 12 is missing")
    for message in emails.values():
        assert _link(people, 1) in text_of(message)
    assert "administrator of Transport Office" in text_of(emails[admin])
    assert "you reported this issue" in text_of(emails[reporter])
    assert [n.status for n in notifications(issue_id=issue["id"])] == [
        "sent"] * 3


def test_the_author_of_a_new_issue_is_not_told_as_publisher(
        people, report, mail, run_jobs):
    report(user="editor")
    run_jobs()

    emails = delivered(mail, 2)
    editor = people["editor"]["email"]
    assert set(emails) == {people["admin"]["email"], editor}
    assert "was received" in subject_of(emails[editor])


@pytest.mark.ckan_config("ckanext.helpdesk.notify.publisher_recipients",
                         "maintainer")
def test_publishers_can_be_the_dataset_maintainer(
        people, report, mail, run_jobs):
    report()
    run_jobs()

    emails = delivered(mail, 2)
    assert set(emails) == {"mia@example.org", people["reporter"]["email"]}
    assert "maintainer of the dataset Bus stops" in text_of(
        emails["mia@example.org"])


@pytest.mark.ckan_config("ckanext.helpdesk.notify.publisher_recipients",
                         "organization_email")
def test_publishers_can_be_a_fixed_address_per_organization(
        people, report, mail, run_jobs_with, monkeypatch):
    pair = f"{people['organization']['name']}=desk@transport.example.org"
    monkeypatch.setitem(
        tk.config, "ckanext.helpdesk.notify.organization_emails", [pair])
    report()
    # The worker checks the address against its configuration when it
    # sends.
    run_jobs_with(ckanext__helpdesk__notify__organization_emails=pair)

    emails = delivered(mail, 2)
    assert set(emails) == {"desk@transport.example.org",
                           people["reporter"]["email"]}
    assert "help desk address of Transport Office" in text_of(
        emails["desk@transport.example.org"])


def test_the_addresses_its_admins_gave_hear_of_issues_and_of_internal_notes(
        people, report, mail, run_jobs):
    call_as(people["admin"], "helpdesk_organization_settings_update",
            organization_id=people["organization"]["id"],
            response_target_days=None,
            notify_emails=("desk@transport.example.org, "
                           "Tickets@crm.example.org"))
    issue = report()
    run_jobs()

    emails = delivered(mail, 5)
    assert set(emails) == {
        "desk@transport.example.org", "Tickets@crm.example.org",
        people["admin"]["email"], people["editor"]["email"],
        people["reporter"]["email"]}
    assert "help desk address of Transport Office" in text_of(
        emails["desk@transport.example.org"])
    mail.clear()

    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Checking with the depot.", internal=True)
    run_jobs()

    # The organization's own channel reads its internal notes; the
    # reporter does not.
    emails = delivered(mail, 3)
    assert set(emails) == {"desk@transport.example.org",
                           "Tickets@crm.example.org",
                           people["admin"]["email"]}


def test_an_address_removed_from_the_settings_is_not_emailed_any_more(
        people, report, mail, run_jobs):
    call_as(people["admin"], "helpdesk_organization_settings_update",
            organization_id=people["organization"]["id"],
            response_target_days=None,
            notify_emails=["desk@transport.example.org"])
    report()
    # Removed before the worker sends: checked again at sending time.
    call_as(people["admin"], "helpdesk_organization_settings_update",
            organization_id=people["organization"]["id"],
            response_target_days=None, notify_emails=[])
    run_jobs()

    emails = delivered(mail, 3)
    assert "desk@transport.example.org" not in emails


@pytest.mark.ckan_config("ckanext.helpdesk.notify.publisher_recipients",
                         "maintainer")
def test_a_choice_naming_nobody_falls_back_to_the_admins(
        people, mail, run_jobs):
    call_as(people["reporter"], "helpdesk_issue_create",
            organization_id=people["organization"]["id"],
            category="data-request", title="Timetables please",
            description="As CSV.")
    run_jobs()

    emails = delivered(mail, 2)
    assert set(emails) == {people["admin"]["email"],
                           people["reporter"]["email"]}
    assert subject_of(emails[people["admin"]["email"]]) == (
        "[Helpdesk Test Portal] New issue #1 on Transport Office: "
        "Timetables please")
    organization = people["organization"]["name"]
    assert (f"http://127.0.0.1:5050/organization/{organization}/requests/1"
            in text_of(emails[people["admin"]["email"]]))


def test_a_comment_tells_publishers_reporter_and_subscribers_not_its_author(
        people, report, mail, run_jobs):
    issue = report()
    call_as(people["follower"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Same at stop 13.")
    run_jobs()
    mail.clear()

    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="We are on it.")
    run_jobs()

    emails = delivered(mail, 3)
    assert set(emails) == {people[role]["email"] for role in
                           ("admin", "reporter", "follower")}
    for message in emails.values():
        assert subject_of(message) == (
            "[Helpdesk Test Portal] New comment on #1 (Bus stops): "
            "Stop 12 is missing")
        assert "We are on it." in text_of(message)
        assert "The editor commented" in text_of(message)
        assert _link(people, 1) in text_of(message)
    assert "you follow this issue" in text_of(
        emails[people["follower"]["email"]])


def test_an_internal_note_tells_only_the_publishers(
        people, report, mail, run_jobs):
    issue = report()
    run_jobs()
    mail.clear()

    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="The reporter is right.", internal=True)
    run_jobs()

    emails = delivered(mail, 1)
    assert set(emails) == {people["admin"]["email"]}
    assert "The reporter is right." in text_of(
        emails[people["admin"]["email"]])


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_a_status_change_tells_the_anonymous_reporter_and_subscribers(
        people, report, mail, run_jobs, app):
    issue = report(user=None, reporter_name="Ann Onymous",
                   reporter_email="ann@example.org")
    call_as(people["follower"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Me too.")
    run_jobs()
    confirm_address(app, delivered(mail, 5)["ann@example.org"])
    mail.clear()

    call_as(people["editor"], "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Fixed in today's release.")
    run_jobs()

    emails = delivered(mail, 2)
    assert set(emails) == {"ann@example.org", people["follower"]["email"]}
    for message in emails.values():
        assert subject_of(message) == (
            "[Helpdesk Test Portal] Issue #1 is now Resolved: "
            "Stop 12 is missing")
        body = text_of(message)
        assert "Status: New -> Resolved" in body
        assert "Fixed in today's release." in body
        assert _link(people, 1) in body
    assert "Hello Ann Onymous," in text_of(emails["ann@example.org"])


def test_a_duplicate_mark_tells_the_reporter(people, report, mail, run_jobs):
    original = report(title="Stop 12 gone")
    duplicate = report(title="Where is stop 12?")
    run_jobs()
    mail.clear()

    call_as(people["admin"], "helpdesk_issue_update", id=duplicate["id"],
            status="duplicate", duplicate_of=original["id"])
    run_jobs()

    emails = delivered(mail, 1)
    message = emails[people["reporter"]["email"]]
    assert subject_of(message) == (
        "[Helpdesk Test Portal] Issue #2 is now Duplicate: Where is stop 12?")
    assert "Marked as a duplicate of #1 Stop 12 gone" in text_of(message)
    assert _link(people, 2) in text_of(message)


def test_an_assignment_tells_the_assignee(people, report, mail, run_jobs):
    issue = report()
    run_jobs()
    mail.clear()

    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            assignee=people["editor"]["name"])
    run_jobs()

    emails = delivered(mail, 1)
    message = emails[people["editor"]["email"]]
    assert subject_of(message) == (
        "[Helpdesk Test Portal] Issue #1 is assigned to you: "
        "Stop 12 is missing")
    assert "The admin assigned an issue about Bus stops to you" in text_of(
        message)
    assert _link(people, 1) in text_of(message)


def test_reporting_and_commenting_subscribe(people, report):
    issue = report()
    call_as(people["follower"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Me too.")

    assert call_as(people["reporter"], "helpdesk_issue_show",
                   id=issue["id"])["subscribed"]
    assert call_as(people["follower"], "helpdesk_issue_show",
                   id=issue["id"])["subscribed"]


def test_subscribers_who_may_not_see_a_private_dataset_are_not_told(
        people, mail, run_jobs):
    private = factories.Dataset(owner_org=people["organization"]["id"],
                                private=True)
    issue = call_as(people["member"], "helpdesk_issue_create",
                    dataset_id=private["id"], category="question",
                    title="Internal question", description="?")
    # A follower from before the dataset went private.
    model.Session.add(Subscription(issue_id=issue["id"],
                                   user_id=people["follower"]["id"]))
    model.Session.commit()
    run_jobs()
    mail.clear()

    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")
    run_jobs()

    emails = delivered(mail, 1)
    assert set(emails) == {people["member"]["email"]}


@pytest.mark.ckan_config("ckanext.helpdesk.notify.enabled", False)
def test_the_operator_can_turn_notifications_off(people, report, run_jobs):
    issue = report()

    assert notifications(issue_id=issue["id"]) == []


def test_a_comment_hidden_before_the_email_goes_out_is_not_emailed(
        people, report, mail, run_jobs):
    issue = report()
    run_jobs()
    mail.clear()
    comment = call_as(people["follower"], "helpdesk_comment_create",
                      issue_id=issue["id"], body="Buy cheap pills!")
    call_as(people["admin"], "helpdesk_comment_hide", id=comment["id"],
            hidden=True)
    run_jobs()

    assert mail.wait_for(1, timeout=3) == []
    about_comment = notifications(issue_id=issue["id"], kind="comment")
    assert [(n.status, n.skip_reason) for n in about_comment] == [
        ("skipped", "comment_hidden")] * 3
