"""No email is ever lost, and none carries a header a user wrote: the real
SMTP server is stopped, Redis is unreachable, a title tries to inject
headers."""
import pytest
import requests
import sqlalchemy as sa

import ckan.lib.jobs
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.model import Issue, utcnow
from ckanext.helpdesk.tests.conftest import ckan_server
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    confirm_address, delivered, notifications, subject_of, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_smtp_down_keeps_emails_pending_and_the_retry_delivers_each_once(
        people, report, mail, run_jobs, ckan_cli):
    mail.stop()
    issue = report()
    run_jobs()

    pending = notifications(issue_id=issue["id"])
    assert len(pending) == 3
    for notification in pending:
        assert notification.status == "pending"
        assert notification.attempts == 1
        assert "could not be connected" in notification.last_error
        assert notification.next_attempt_at > utcnow()
    stuck = ckan_cli("helpdesk", "notifications").stdout
    assert stuck.count("attempts=1") == 3

    mail.start()
    # Not due yet: the backoff holds the retry.
    assert ckan_cli("helpdesk", "send-pending").stdout.strip() == (
        "0 sent, 0 failed, 0 skipped")
    assert ckan_cli("helpdesk", "send-pending", "--retry-now"
                    ).stdout.strip() == "3 sent, 0 failed, 0 skipped"
    # Neither a second sweep nor the worker sends anything twice.
    assert ckan_cli("helpdesk", "send-pending", "--retry-now"
                    ).stdout.strip() == "0 sent, 0 failed, 0 skipped"
    run_jobs()

    emails = delivered(mail, 3)
    assert set(emails) == {people[role]["email"]
                           for role in ("admin", "editor", "reporter")}
    assert [n.status for n in notifications(issue_id=issue["id"])] == [
        "sent"] * 3
    assert ckan_cli("helpdesk", "notifications").stdout == ""


def test_redis_down_the_issue_is_saved_and_send_pending_delivers(
        people, mail, ckan_cli):
    token = factories.APIToken(user=people["reporter"]["name"])["token"]
    # A real CKAN server whose Redis is a closed port; the shared Redis
    # keeps serving this process and the cron job below.
    with ckan_server(CKAN_REDIS_URL="redis://127.0.0.1:1/0") as url:
        response = requests.post(
            f"{url}/api/3/action/helpdesk_issue_create",
            headers={"Authorization": token},
            json={"dataset_id": people["dataset"]["id"],
                  "category": "question",
                  "title": "Which stops are accessible?",
                  "description": "Wheelchair access."}, timeout=30)

    assert ckan.lib.jobs.get_queue().count == 0  # nothing reached Redis
    assert response.status_code == 200
    issue = response.json()["result"]
    assert [n.status for n in notifications(issue_id=issue["id"])] == [
        "pending"] * 3

    # Redis is back for the cron job's process (it runs with the real
    # configuration); it sends without needing Redis at all.
    assert ckan_cli("helpdesk", "send-pending").stdout.strip() == (
        "3 sent, 0 failed, 0 skipped")
    emails = delivered(mail, 3)
    assert subject_of(emails[people["admin"]["email"]]) == (
        "[Helpdesk Test Portal] New issue #1 on Bus stops: "
        "Which stops are accessible?")


def test_notifications_roll_back_with_the_change(people, mail, run_jobs):
    context = {"user": people["reporter"]["name"], "ignore_auth": False,
               "defer_commit": True}
    issue = tk.get_action("helpdesk_issue_create")(context, {
        "dataset_id": people["dataset"]["id"], "category": "question",
        "title": "Never saved", "description": "Rolled back."})
    model.Session.rollback()
    run_jobs()

    assert notifications(issue_id=issue["id"]) == []
    assert mail.messages == []


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_header_injection_is_plain_text_to_the_intended_recipients_only(
        people, report, mail, run_jobs, app):
    injected = {"title": "Broken\r\nBcc: victim@example.org\r\nX-Injected: yes",
                "reporter_name": "Eve\r\nBcc: eve@evil.example"}
    with pytest.raises(tk.ValidationError) as refused:
        report(user=None, reporter_email="eve@example.org", **injected)
    assert set(refused.value.error_dict) == set(injected)

    # Text stored before line breaks were refused there reaches the mail
    # as plain text all the same.
    issue = report(user=None, title="Broken", reporter_name="Eve",
                   reporter_email="eve@example.org")
    model.Session.execute(sa.update(Issue).where(
        Issue.id == issue["id"]).values(**injected))
    model.Session.commit()
    run_jobs()

    emails = delivered(mail, 3)
    assert set(emails) == {people["admin"]["email"],
                           people["editor"]["email"], "eve@example.org"}
    for message in emails.values():
        assert message["Bcc"] is None and message["X-Injected"] is None
    for role in ("admin", "editor"):
        assert subject_of(emails[people[role]["email"]]).endswith(
            "Broken Bcc: victim@example.org X-Injected: yes")
    # The anonymous address first gets its confirmation, which quotes
    # nothing the visitor wrote.
    confirmation = emails["eve@example.org"]
    assert confirmation["To"].addresses[0].display_name == ""
    assert "Broken" not in text_of(confirmation)
    confirm_address(app, confirmation)
    mail.clear()

    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Which stop?")
    run_jobs()
    reply = delivered(mail, 2)["eve@example.org"]
    assert reply["Bcc"] is None and reply["X-Injected"] is None
    assert subject_of(reply).endswith(
        "Broken Bcc: victim@example.org X-Injected: yes")
    assert reply["To"].addresses[0].addr_spec == "eve@example.org"
    assert reply["To"].addresses[0].display_name == (
        "Eve Bcc: eve@evil.example")
