"""`ckan helpdesk remind`: each organization's editors and admins get,
through the real SMTP server, a digest of the issues that need them (past
target marked) and on Mondays a weekly summary; members, visitors and
those who opted out get none; run twice the same day (or on two nodes at
once) it sends once; a failed send is retried."""
import datetime
import os
import subprocess

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from ckanext.helpdesk.model import Issue, Notification, utcnow
from ckanext.helpdesk.notify import digests, jobs
from ckanext.helpdesk.tests.conftest import CKAN, TEST_INI
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    delivered, link_in, csrf_token, subject_of, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SITE = "Helpdesk Test Portal"


def _reported_days_ago(issue, days):
    model.Session.execute(sa.update(Issue).where(
        Issue.id == issue["id"]).values(
        created=utcnow() - datetime.timedelta(days=days)))
    model.Session.commit()


@pytest.fixture
def desk(people, report):
    """Issues of the organization: one past target, one reported today,
    one answered; one on a private dataset; one of another organization.
    The email about each report is not what these tests are about."""
    old = report(title="Stop 12 is missing")
    _reported_days_ago(old, 30)
    answered = report(title="Answered already")
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=answered["id"], body="Fixed in the next release.")
    _reported_days_ago(answered, 30)
    report(title="Timetable is from 2019")
    private = factories.Dataset(owner_org=people["organization"]["id"],
                                private=True, title="Depot plans")
    report(user="member", dataset_id=private["id"],
           title="Depot 4 is missing")
    elsewhere = factories.Organization(users=[
        {"name": people["follower"]["name"], "capacity": "admin"}])
    report(dataset_id=factories.Dataset(owner_org=elsewhere["id"])["id"],
           title="Not this organization's")
    model.Session.execute(sa.delete(Notification))
    model.Session.commit()
    return people


def _remind(**kwargs):
    return jobs.send_each(digests.write(**kwargs))


def _rows(notification_ids):
    model.Session.expire_all()
    return model.Session.query(Notification).filter(
        Notification.id.in_(notification_ids)).all()


def test_the_digest_goes_to_the_organizations_editors_and_admins_only(
        desk, mail):
    outcomes = _remind(weekly=False)

    emails = delivered(mail, 3)
    assert outcomes == {"sent": 3, "failed": 0, "skipped": 0}
    # The other organization's admin gets its own organization's digest.
    assert set(emails) == {desk["admin"]["email"], desk["editor"]["email"],
                           desk["follower"]["email"]}
    for role in ("admin", "editor"):
        message = emails[desk[role]["email"]]
        assert subject_of(message) == (
            f"[{SITE}] Help desk digest of Transport Office: "
            "3 issues need you")
        assert message["List-Unsubscribe"]
    elsewhere = text_of(emails[desk["follower"]["email"]])
    assert "Not this organization's" in elsewhere
    assert "Stop 12 is missing" not in elsewhere


def test_the_digest_lists_what_needs_an_answer_and_marks_past_target(
        desk, mail):
    _remind(weekly=False)

    text = text_of(delivered(mail, 3)[desk["editor"]["email"]])
    dataset = desk["dataset"]["name"]
    past, new = text.split("Reported in the last day:")
    assert "Past the response target (3 working days)" in past
    assert f"[PAST TARGET] {dataset}#1 Stop 12 is missing" in past
    assert "Timetable is from 2019" in new
    assert "Depot 4 is missing" in new  # private: its editors see it
    assert "PAST TARGET" not in new
    assert "Answered already" not in text
    assert "Not this organization's" not in text
    assert f"/dataset/{dataset}/issues/1" in text
    assert "You receive this email because you are an editor of " \
           "Transport Office" in text


def test_a_second_run_the_same_day_sends_nothing(desk, mail):
    _remind(weekly=False)
    delivered(mail, 3)

    assert digests.write(weekly=False) == []
    assert _remind(weekly=False) == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(mail.wait_for(4, timeout=2)) == 3


def test_users_who_opted_out_get_no_digest(desk, mail):
    call_as(desk["editor"], "helpdesk_notification_preferences_update",
            email_notifications=True, digests=False)
    call_as(desk["admin"], "helpdesk_notification_preferences_update",
            email_notifications=False)

    claimed = digests.write(weekly=True)
    assert {n.user_id for n in _rows(claimed)} == {desk["follower"]["id"]}

    call_as(desk["admin"], "helpdesk_notification_preferences_update",
            email_notifications=True)
    claimed = digests.write(now=utcnow() + datetime.timedelta(days=1),
                            weekly=False)
    assert {n.user_id for n in _rows(claimed)} == {desk["admin"]["id"],
                                                   desk["follower"]["id"]}


def test_the_digests_link_unsubscribes_from_digests(desk, mail, app):
    _remind(weekly=False)
    message = delivered(mail, 3)[desk["editor"]["email"]]
    link = link_in(message, "/helpdesk/unsubscribe/")

    page = app.get(link)
    assert "Stop receiving the help desk digests" in page.body
    done = app.post(link, data={"_csrf_token": csrf_token(page.body)})
    assert "You will receive no more help desk digests." in done.body

    assert call_as(desk["editor"],
                   "helpdesk_notification_preferences_show") == {
        "user_id": desk["editor"]["id"], "email_notifications": True,
        "digests": False}
    tomorrow = utcnow() + datetime.timedelta(days=1)
    claimed = digests.write(now=tomorrow, weekly=False)
    assert {n.user_id for n in _rows(claimed)} == {desk["admin"]["id"],
                                                   desk["follower"]["id"]}


def test_the_weekly_summary_counts_the_last_week(desk, mail, report):
    closed = report(title="Closed this week")
    call_as(desk["editor"], "helpdesk_issue_update", id=closed["id"],
            status="resolved")
    model.Session.execute(sa.delete(Notification))
    model.Session.commit()

    _remind(weekly=True)

    messages = mail.wait_for(6)
    summaries = {to[0]: message for to, message in messages
                 if "The help desk week" in subject_of(message)}
    assert len(messages) == 6 and len(summaries) == 3  # and 3 digests
    summary = summaries[desk["editor"]["email"]]
    text = text_of(summary)
    assert subject_of(summary) == (
        f"[{SITE}] The help desk week of Transport Office: 3 opened, "
        "1 closed")
    # Opened: today's, the private one, the closed one; the 30-day-old
    # ones are older than the week.
    assert "Opened: 3" in text
    assert "Closed: 1" in text
    assert "Still open: 4" in text
    assert "Past target: 1" in text


def test_a_monday_run_writes_the_weekly_summary_too(desk):
    monday = datetime.datetime(2026, 12, 7, 6, tzinfo=datetime.timezone.utc)
    tuesday = monday + datetime.timedelta(days=1)

    digests.write(now=tuesday)
    digests.write(now=monday)

    kinds = sorted((n.digest_day.isoformat(), n.kind) for n in
                   model.Session.query(Notification).filter(
                       Notification.user_id == desk["editor"]["id"]))
    assert kinds == [("2026-12-07", "digest"),
                     ("2026-12-07", "weekly_summary"),
                     ("2026-12-08", "digest")]


def test_a_digest_that_could_not_be_sent_is_retried_not_dropped(desk, mail):
    mail.stop()
    assert _remind(weekly=False) == {"sent": 0, "failed": 3, "skipped": 0}
    model.Session.expire_all()
    assert {(n.status, n.attempts) for n in
            model.Session.query(Notification)} == {("pending", 1)}

    mail.start()
    assert jobs.send_pending(retry_now=True) == {
        "sent": 3, "failed": 0, "skipped": 0}
    assert len(delivered(mail, 3)) == 3
    assert digests.write(weekly=False) == []


def test_a_digest_to_someone_no_longer_an_editor_is_skipped(desk, mail):
    claimed = digests.write(weekly=False)
    call_as(desk["sysadmin"], "organization_member_delete",
            id=desk["organization"]["id"], username=desk["editor"]["name"])

    assert jobs.send_each(claimed) == {"sent": 2, "failed": 0, "skipped": 1}
    assert desk["editor"]["email"] not in delivered(mail, 2)


def _remind_process():
    return subprocess.Popen(
        [str(CKAN), "-c", str(TEST_INI), "helpdesk", "remind",
         "--no-weekly"], env=os.environ.copy(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def test_remind_on_two_nodes_at_once_then_again_sends_each_digest_once(
        desk, mail):
    runs = [_remind_process(), _remind_process()]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    emails = delivered(mail, 3)
    assert set(emails) == {desk["admin"]["email"], desk["editor"]["email"],
                           desk["follower"]["email"]}
    written = sum(int(out.split(" written")[0]) for out, _err in outputs)
    assert written == 3

    again = _remind_process()
    out, err = again.communicate(timeout=300)
    assert out.strip() == "0 written, 0 sent, 0 failed, 0 skipped", err
    assert len(mail.wait_for(4, timeout=2)) == 3


def test_the_preferences_page_linked_from_the_digest_turns_digests_off(
        desk, mail, app):
    _remind(weekly=False)
    message = delivered(mail, 3)[desk["editor"]["email"]]
    link = link_in(message, "/dashboard/helpdesk/email")
    client = app.test_client()
    assert client.get(link, follow_redirects=False).status_code == 302
    token = factories.APIToken(user=desk["editor"]["name"])["token"]
    page = client.get(link, headers={"Authorization": token})
    assert 'name="digests" value="true" checked' in page.body

    saved = client.post(link, headers={"Authorization": token}, data={
        "email_notifications": "true"}, follow_redirects=True)

    assert "Your email preferences are saved." in saved.body
    assert call_as(desk["editor"],
                   "helpdesk_notification_preferences_show") == {
        "user_id": desk["editor"]["id"], "email_notifications": True,
        "digests": False}
