"""What is refused or dropped, and that each is recorded with its reason
on the sysadmins' page and answers nobody by email: a forged or expired
reply address, a reply from another address, mail sent by machines
(auto-replies, bounces, mailing lists: accepted, so no bounce answers
them, and dropped), a message too large, a sender over the rate limit."""
import datetime

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.helpdesk.mailin import receive
from ckanext.helpdesk.model import Comment, MailRefusal, Notification
from ckanext.helpdesk.tests.mail.conftest import (
    REPLY_DOMAIN, compose, compose_reply, send_written)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              REPLY_DOMAIN]

ADMIN_PAGE = "/ckan-admin/helpdesk/notifications"


def comment_count(issue_id):
    model.Session.expire_all()
    return model.Session.query(Comment).filter_by(issue_id=issue_id).count()


def refusals():
    model.Session.expire_all()
    return model.Session.query(MailRefusal).all()


@pytest.fixture
def reporter_email(people, commented):
    """(the issue, the email the reporter got about the editor's
    comment)."""
    issue, emails = commented
    return issue, emails[people["reporter"]["email"]]


def assert_nothing_mailed_back(mail):
    send_written()
    assert mail.messages == []


def forged(address):
    """The address with the last character of its signature changed."""
    local, domain = address.split("@")
    return local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain


def test_a_forged_reply_address_is_refused_and_logged(
        reporter_email, mail, app, people):
    issue, original = reporter_email
    raw = compose_reply(original, "Hello")
    before = comment_count(issue["id"])

    outcome = receive.receive(raw, forged(str(original["Reply-To"])))

    assert (outcome.code, outcome.exit_code) == (550, 67)
    assert outcome.text == "This reply address is not valid."
    assert comment_count(issue["id"]) == before
    [refusal] = refusals()
    assert (refusal.reason, refusal.sender) == (
        "invalid_token", people["reporter"]["email"])
    assert_nothing_mailed_back(mail)
    token = factories.APIToken(user=people["sysadmin"]["name"])["token"]
    page = app.get(ADMIN_PAGE, headers={"Authorization": token}).body
    assert "invalid_token" in page
    assert "This reply address is not valid." in page
    assert refusal.message_id.strip("<>").split("@")[0] in page


@pytest.mark.ckan_config("ckanext.helpdesk.mail.reply_lifetime", 7)
def test_an_expired_reply_address_is_refused_and_logged(
        reporter_email, mail):
    issue, original = reporter_email
    model.Session.query(Notification).update({
        "sent_at": Notification.sent_at - datetime.timedelta(days=8),
        "created": Notification.created - datetime.timedelta(days=8)})
    model.Session.commit()

    outcome = receive.receive(compose_reply(original, "Hello"),
                              str(original["Reply-To"]))

    assert (outcome.code, outcome.exit_code) == (550, 67)
    assert "expired" in outcome.text
    assert [r.reason for r in refusals()] == ["expired_token"]
    assert_nothing_mailed_back(mail)


def test_a_reply_from_another_address_is_refused_and_logged(
        reporter_email, mail, people):
    issue, original = reporter_email
    before = comment_count(issue["id"])
    # The admin's own address, replying with the reporter's reply address.
    raw = compose_reply(original, "Closing this.",
                        sender=people["admin"]["email"])

    outcome = receive.receive(raw, str(original["Reply-To"]))

    assert (outcome.code, outcome.exit_code) == (550, 77)
    assert comment_count(issue["id"]) == before
    assert [r.reason for r in refusals()] == ["wrong_sender"]
    assert_nothing_mailed_back(mail)


def test_the_sender_is_compared_without_regard_to_case(reporter_email):
    issue, original = reporter_email
    raw = compose_reply(original, "Upper case.",
                        sender=str(original["To"]).upper())

    assert receive.receive(raw, str(original["Reply-To"])).code == 250


@pytest.mark.parametrize("headers, reason", [
    ({"Auto_Submitted": "auto-replied"}, "auto_reply"),
    ({"X_Autoreply": "yes"}, "auto_reply"),
    ({"X_Autorespond": "Out of office"}, "auto_reply"),
    ({"Precedence": "bulk"}, "mailing_list"),
    ({"List_Id": "<transport.lists.example.org>"}, "mailing_list"),
    ({"Return_Path": "<>"}, "bounce"),
])
def test_mail_sent_by_machines_is_accepted_dropped_and_logged(
        reporter_email, mail, headers, reason):
    issue, original = reporter_email
    before = comment_count(issue["id"])
    raw = compose_reply(original, "I am out of office until Monday.",
                        **headers)

    outcome = receive.receive(raw, str(original["Reply-To"]))

    # Accepted: a refusal would make the MTA bounce, answering a machine.
    assert (outcome.code, outcome.exit_code) == (250, 0)
    assert comment_count(issue["id"]) == before
    assert [r.reason for r in refusals()] == [reason]
    assert_nothing_mailed_back(mail)


def test_a_delivery_status_notification_is_dropped_as_a_bounce(
        reporter_email, mail):
    issue, original = reporter_email
    raw = (b"From: MAILER-DAEMON@mail.example.org\r\n"
           b"To: " + str(original["Reply-To"]).encode() + b"\r\n"
           b"Subject: Undelivered Mail Returned to Sender\r\n"
           b"Message-ID: <dsn-1@mail.example.org>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status;"
           b" boundary=\"b\"\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n"
           b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
           b"Reporting-MTA: dns; mail.example.org\r\n\r\n"
           b"Final-Recipient: rfc822; x@example.org\r\nAction: failed\r\n"
           b"Status: 5.1.1\r\n\r\n--b--\r\n")

    outcome = receive.receive(raw, str(original["Reply-To"]))

    assert outcome.code == 250
    assert [r.reason for r in refusals()] == ["bounce"]
    assert_nothing_mailed_back(mail)


@pytest.mark.ckan_config("ckanext.helpdesk.mail.max_size", 2000)
def test_a_message_over_the_size_limit_is_refused(reporter_email, mail):
    issue, original = reporter_email
    raw = compose_reply(original, "x" * 3000, quote=False)

    outcome = receive.receive(raw, str(original["Reply-To"]))

    assert (outcome.code, outcome.exit_code) == (552, 65)
    assert "2000 bytes" in outcome.text
    assert [r.reason for r in refusals()] == ["too_large"]
    assert_nothing_mailed_back(mail)


@pytest.mark.ckan_config("ckanext.helpdesk.rate_limit.mail", "2/hour")
def test_a_sender_over_the_rate_limit_is_deferred(reporter_email, mail):
    issue, original = reporter_email
    before = comment_count(issue["id"])
    outcomes = [receive.receive(compose_reply(original, f"Reply {n}"),
                                str(original["Reply-To"]))
                for n in range(3)]

    assert [o.code for o in outcomes] == [250, 250, 451]
    assert outcomes[2].exit_code == 75  # EX_TEMPFAIL: the MTA tries later
    assert comment_count(issue["id"]) == before + 2
    assert [r.reason for r in refusals()] == ["rate_limited"]


def test_an_address_not_of_the_help_desk_is_refused(people):
    raw = compose(
        people["reporter"]["email"], "someone@helpdesk.example.org", "Hi",
        "Hello").as_bytes()

    outcome = receive.receive(raw, "someone@helpdesk.example.org")

    assert (outcome.code, outcome.exit_code) == (550, 67)
    assert [r.reason for r in refusals()] == ["unknown_recipient"]
