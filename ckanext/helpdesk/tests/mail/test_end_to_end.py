"""Email both ways, end to end, as a portal runs it: the real RQ worker
sends the publisher the notification of a new issue through the real SMTP
server; the publisher's reply, quoting it, is delivered to its Reply-To
both through `ckan helpdesk receive-mail` (a pipe transport) and through
`ckan helpdesk mail-server` (LMTP, as an MTA delivers); the issue page
shows the comment once without the quote, and the reporter gets the email
of the reply as of any."""
import os
import smtplib
import socket
import subprocess
import time

import pytest

from ckanext.helpdesk.tests.conftest import CKAN
from ckanext.helpdesk.tests.mail.conftest import (
    DOMAIN, REPLY_DOMAIN, compose_reply, delivered, text_of)
from ckanext.helpdesk.tests.notify.conftest import ini_with

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              REPLY_DOMAIN]

ANSWER = "Stop 12 moved to Station Road in November; the file says so now."


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the mail server did not listen")


def test_a_reply_by_email_through_the_pipe_and_lmtp_is_one_comment_the_reporter_is_told_of(
        people, report, mail, run_jobs_with, tmp_path, app):
    ini = ini_with(tmp_path / "mail.ini",
                   ckanext__helpdesk__mail__reply_domain=DOMAIN)
    issue = report(title="Stop 12 is missing")
    run_jobs_with(ckanext__helpdesk__mail__reply_domain=DOMAIN)
    original = delivered(mail, 3)[people["editor"]["email"]]
    mail.clear()
    assert str(original["Reply-To"]).endswith("@" + DOMAIN)
    raw = compose_reply(original, ANSWER)
    assert b"> The stop on Main Street is gone." in raw

    piped = subprocess.run([str(CKAN), "-c", str(ini), "helpdesk",
                            "receive-mail"], input=raw, capture_output=True,
                           env=os.environ.copy(), timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.decode().startswith("250 ")

    port = _free_port()
    server = subprocess.Popen(
        [str(CKAN), "-c", str(ini), "helpdesk", "mail-server", "--host",
         "127.0.0.1", "--port", str(port)], env=os.environ.copy(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _listening(port, server)
        with smtplib.LMTP("127.0.0.1", port) as lmtp:
            refused = lmtp.sendmail(people["editor"]["email"],
                                    [str(original["Reply-To"])], raw)
            assert refused == {}
            # The listener answers what receive() says: an unknown
            # organization's address is refused with the reason.
            with pytest.raises(smtplib.SMTPDataError) as bounced:
                lmtp.sendmail(people["editor"]["email"],
                              [f"helpdesk+org-nowhere@{DOMAIN}"],
                              raw.replace(b"Message-ID: <", b"Message-ID: <x"))
        assert bounced.value.smtp_code == 550
        assert b'There is no organization "nowhere"' in (
            bounced.value.smtp_error)
    finally:
        server.terminate()
        server.wait(30)

    page = app.get(f"/dataset/{people['dataset']['name']}/issues/"
                   f"{issue['number']}").body
    assert page.count("Stop 12 moved to Station Road") == 1
    assert "wrote:" not in page and "Open Data Portal" not in page

    run_jobs_with(ckanext__helpdesk__mail__reply_domain=DOMAIN)
    told = delivered(mail, 2)  # the reporter, and the admin
    assert set(told) == {people["reporter"]["email"],
                         people["admin"]["email"]}
    reporter_email = text_of(told[people["reporter"]["email"]])
    assert ANSWER in reporter_email
    assert "The editor" in reporter_email  # the author of the reply
