"""Recipients are decided again when the email is sent, not only when the
notification is written: whoever lost access, left the organization or
opted out in between, and comments hidden in between, are not emailed;
the notification is recorded as skipped with its reason. Each test changes
things after the notification is written and before a real RQ worker
sends through the real SMTP server."""
import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import delivered, notifications

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _skipped(issue):
    return {(n.email, n.skip_reason)
            for n in notifications(issue_id=issue["id"], status="skipped")}


def test_a_visitor_who_lost_access_before_the_worker_ran_is_not_emailed(
        people, followed, mail, run_jobs):
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=followed["id"], body="We are on it.")
    call_as(people["admin"], "package_patch", id=people["dataset"]["id"],
            private=True)
    run_jobs()

    assert set(delivered(mail, 1)) == {people["admin"]["email"]}
    assert _skipped(followed) == {
        (people["reporter"]["email"], "may_not_see_issue"),
        (people["follower"]["email"], "may_not_see_issue")}


def test_a_publisher_removed_from_the_organization_meanwhile_is_not_emailed(
        people, report, mail, run_jobs):
    issue = report()
    call_as(people["admin"], "organization_member_delete",
            id=people["organization"]["id"], username=people["editor"]["name"])
    run_jobs()

    assert set(delivered(mail, 2)) == {people["admin"]["email"],
                                       people["reporter"]["email"]}
    assert _skipped(issue) == {
        (people["editor"]["email"], "no_longer_publisher")}


def test_an_issue_hidden_before_sending_is_emailed_only_to_its_managers(
        people, followed, mail, run_jobs):
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=followed["id"], body="We are on it.")
    call_as(people["admin"], "helpdesk_issue_hide", id=followed["id"],
            hidden=True)
    run_jobs()

    assert set(delivered(mail, 1)) == {people["admin"]["email"]}
    assert _skipped(followed) == {
        (people["reporter"]["email"], "may_not_see_issue"),
        (people["follower"]["email"], "may_not_see_issue")}


def test_opting_out_after_the_notification_was_written_skips_it(
        people, report, mail, run_jobs):
    issue = report()
    call_as(people["admin"], "helpdesk_notification_preferences_update",
            email_notifications=False)
    run_jobs()

    assert set(delivered(mail, 2)) == {people["editor"]["email"],
                                       people["reporter"]["email"]}
    assert _skipped(issue) == {(people["admin"]["email"], "opted_out")}


def test_unsubscribing_after_the_notification_was_written_skips_it(
        people, followed, mail, run_jobs):
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=followed["id"], body="We are on it.")
    call_as(people["follower"], "helpdesk_issue_unsubscribe",
            id=followed["id"])
    run_jobs()

    assert set(delivered(mail, 2)) == {people["admin"]["email"],
                                       people["reporter"]["email"]}
    assert _skipped(followed) == {(people["follower"]["email"], "opted_out")}


def test_skipped_email_is_listed_with_its_reason_on_the_sysadmin_page(
        people, report, app, run_jobs):
    report()
    call_as(people["admin"], "helpdesk_notification_preferences_update",
            email_notifications=False)
    run_jobs()

    token = factories.APIToken(user=people["sysadmin"]["name"])["token"]
    page = app.get("/ckan-admin/helpdesk/notifications?status=skipped",
                   headers={"Authorization": token}).body
    assert "skipped (1)" in page
    assert "sent (2)" in page
    assert people["admin"]["email"] in page
    assert people["editor"]["email"] not in page  # the filter holds
    assert "opted_out" in page


def test_the_sweep_counts_skipped_emails_apart_from_failures(
        people, followed, mail, ckan_cli):
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=followed["id"], body="We are on it.")
    call_as(people["admin"], "package_patch", id=people["dataset"]["id"],
            private=True)

    # The sweep, not the worker, finds the notifications first.
    assert ckan_cli("helpdesk", "send-pending", "--retry-now"
                    ).stdout.strip() == "1 sent, 0 failed, 2 skipped"
    assert set(delivered(mail, 1)) == {people["admin"]["email"]}
