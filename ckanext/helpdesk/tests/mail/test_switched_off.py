"""Without ckanext.helpdesk.mail.reply_domain, email is sent as before
(no Reply-To) and none is taken in."""
import pytest

from ckanext.helpdesk.mailin import receive
from ckanext.helpdesk.tests.mail.conftest import (
    DOMAIN, delivered, send_written, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_without_a_reply_domain_emails_carry_no_reply_address_and_none_is_taken(
        people, report, mail):
    report()
    send_written()
    emails = delivered(mail, 3)
    assert all(message["Reply-To"] is None for message in emails.values())
    assert not any("Or reply to this email" in text_of(message)
                   for message in emails.values())

    outcome = receive.receive(b"From: a@example.org\r\n\r\nHi",
                              f"helpdesk+org-{people['organization']['name']}"
                              f"@{DOMAIN}")

    assert (outcome.code, outcome.exit_code) == (550, 67)
    assert outcome.text == "This portal takes no email."
