"""`ckan helpdesk mail-server --smtp`'s handler: one SMTP answer per
message, through receive(), as an MTA relaying to it sees it (the LMTP
listener is run for real, as a process, in test_end_to_end.py)."""
import concurrent.futures
import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

import ckan.model as model

from ckanext.helpdesk.mailin import server
from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests.mail.conftest import DOMAIN, REPLY_DOMAIN, compose

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              REPLY_DOMAIN]


@pytest.fixture
def smtp_listener():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executor = concurrent.futures.ThreadPoolExecutor(1)
    controller = Controller(server.Handler(False, executor),
                            hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()
    executor.shutdown()


def test_smtp_takes_a_write_in_and_refuses_an_unknown_organization(
        people, smtp_listener):
    sender = people["reporter"]["email"]
    known = f"helpdesk+org-{people['organization']['name']}@{DOMAIN}"
    unknown = f"helpdesk+org-nowhere@{DOMAIN}"

    with smtplib.SMTP("127.0.0.1", smtp_listener) as smtp:
        smtp.send_message(compose(sender, known, "Night buses", "GTFS?"))
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.send_message(compose(sender, unknown, "Hello", "Hi"))

    assert refused.value.smtp_code == 550
    assert b'There is no organization "nowhere"' in refused.value.smtp_error
    model.Session.expire_all()
    assert [i.title for i in model.Session.query(Issue)] == ["Night buses"]
