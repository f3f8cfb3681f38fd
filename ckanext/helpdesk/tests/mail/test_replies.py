"""A reply to a notification becomes a comment by its recipient, through
the same action as a reply on the page: the quoted original left out,
taken once however often it is delivered, an internal note when it
answers one, refused for whoever may no longer see the issue. Called on
the one code path of `receive-mail` and `mail-server`."""
import email
import email.policy

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.helpdesk.mailin import receive
from ckanext.helpdesk.model import Comment, MailRefusal
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.mail.conftest import (
    DOMAIN, REPLY_DOMAIN, compose_reply, delivered, notifications,
    send_written, text_of)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              REPLY_DOMAIN]


def comments(issue_id):
    model.Session.expire_all()
    return model.Session.query(Comment).filter_by(issue_id=issue_id).order_by(
        Comment.created).all()


def test_every_email_to_a_user_about_an_issue_carries_their_own_reply_address(
        people, commented):
    _issue, emails = commented
    reporter = emails[people["reporter"]["email"]]["Reply-To"]
    admin = emails[people["admin"]["email"]]["Reply-To"]
    for address in (reporter, admin):
        local, domain = str(address).split("@")
        assert domain == DOMAIN
        assert local.startswith("helpdesk+") and len(local) <= 64
    assert reporter != admin
    assert "Or reply to this email" in text_of(
        emails[people["reporter"]["email"]])


def test_a_reply_becomes_a_comment_by_its_recipient_without_the_quote(
        people, commented, mail):
    issue, emails = commented
    original = emails[people["reporter"]["email"]]
    raw = compose_reply(original, "The one on Main Street, by the bakery.")

    outcome = receive.receive(raw, str(original["Reply-To"]))

    assert (outcome.code, outcome.exit_code) == (250, 0)
    added = comments(issue["id"])[-1]
    assert added.author_id == people["reporter"]["id"]
    assert added.body == "The one on Main Street, by the bakery."
    assert not added.internal
    # Told as any reply is: the editor (who asked) and the admin.
    told = {n.email for n in notifications(comment_id=added.id)}
    assert told == {people["editor"]["email"], people["admin"]["email"]}
    send_written()
    assert set(delivered(mail, 2)) == told


def test_the_same_message_delivered_twice_makes_one_comment(
        people, commented):
    issue, emails = commented
    original = emails[people["reporter"]["email"]]
    raw = compose_reply(original, "Main Street.")
    before = len(comments(issue["id"]))

    first = receive.receive(raw, str(original["Reply-To"]))
    second = receive.receive(raw, str(original["Reply-To"]))

    assert first.code == second.code == 250
    assert second.text == "Already received."
    assert len(comments(issue["id"])) == before + 1


def test_a_reply_to_an_internal_note_email_becomes_an_internal_note(
        people, report, mail):
    issue = report()
    send_written()
    mail.clear()
    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Ask the bus company first.", internal=True)
    send_written()
    original = delivered(mail, 1)[people["admin"]["email"]]
    assert "posted as an internal note" in text_of(original)

    outcome = receive.receive(
        compose_reply(original, "I called them: it moved."),
        str(original["Reply-To"]))

    assert outcome.code == 250
    note = comments(issue["id"])[-1]
    assert (note.body, note.internal, note.author_id) == (
        "I called them: it moved.", True, people["admin"]["id"])
    # Internal: the reporter is not told.
    assert {n.email for n in notifications(comment_id=note.id)} == {
        people["editor"]["email"]}


def test_attachments_are_not_kept_and_the_comment_says_so(
        people, commented):
    issue, emails = commented
    original = emails[people["reporter"]["email"]]
    raw = compose_reply(original, "Photo attached.")
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    message.add_attachment(b"\x89PNG....", maintype="image", subtype="png",
                           filename="stop.png")

    outcome = receive.receive(message.as_bytes(), str(original["Reply-To"]))

    assert outcome.code == 250
    body = comments(issue["id"])[-1].body
    assert body.startswith("Photo attached.")
    assert "not kept" in body and "stop.png" in body


def test_a_reply_from_a_user_who_lost_access_to_the_private_dataset_is_refused(
        people, mail):
    private = factories.Dataset(owner_org=people["organization"]["id"],
                                private=True, name="depot-plans")
    outsider = factories.User()
    model.Session.execute(model.member_table.insert().values(
        id="m-" + outsider["id"], table_id=outsider["id"], table_name="user",
        group_id=people["organization"]["id"], capacity="member",
        state="active"))
    model.Session.commit()
    issue = call_as(outsider, "helpdesk_issue_create",
                    dataset_id=private["id"], category="question",
                    title="Depot 3?", description="Where is depot 3?")
    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Being checked.")
    send_written()
    original = [message for recipients, message in mail.wait_for(5)
                if recipients == [outsider["email"]]
                and "New comment" in message["Subject"]][0]
    mail.clear()
    # The member leaves the organization: the private dataset is gone
    # for them, and with it the issue.
    model.Session.execute(model.member_table.delete().where(
        model.member_table.c.table_id == outsider["id"]))
    model.Session.commit()

    outcome = receive.receive(compose_reply(original, "Any news?"),
                              str(original["Reply-To"]))

    assert (outcome.code, outcome.exit_code) == (550, 77)
    assert [c.body for c in comments(issue["id"])] == ["Being checked."]
    refusal = model.Session.query(MailRefusal).one()
    assert refusal.reason == "no_access"
    send_written()
    assert mail.messages == []
