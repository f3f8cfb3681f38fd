"""What the inbound mail tests share: the notification tests' portal and
people, the reply domain switched on, emails sent by the real job code to
the real SMTP server, and replies composed from them as a mail client
would."""
import email.message
import email.policy
import email.utils
import uuid

import pytest

from ckanext.helpdesk.notify import jobs
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (  # noqa: F401 fixtures
    delivered, no_stale_jobs, notifications, people, report, run_jobs_with,
    text_of)

DOMAIN = "helpdesk.example.org"

# Mail is taken in (and emails carry reply addresses) at DOMAIN.
REPLY_DOMAIN = pytest.mark.ckan_config("ckanext.helpdesk.mail.reply_domain",
                                       DOMAIN)


def send_written():
    """Send every pending notification now, in this process (the job's own
    code, with this test's configuration)."""
    return jobs.send_pending(retry_now=True)


def compose_reply(original, text, sender=None, quote=True, **headers):
    """The bytes of a reply to the email `original` as a mail client writes
    it: to its Reply-To, from its recipient (or `sender`), `text` above the
    original quoted Gmail's way; extra headers ("X_Autoreply" for
    X-Autoreply)."""
    reply = email.message.EmailMessage(policy=email.policy.SMTP)
    reply["From"] = sender or str(original["To"])
    reply["To"] = str(original["Reply-To"])
    reply["Subject"] = "Re: " + " ".join(str(original["Subject"]).split())
    reply["Message-ID"] = f"<{uuid.uuid4()}@mail.example.org>"
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["Date"] = email.utils.formatdate()
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    body = text
    if quote:
        quoted = "\n".join("> " + line
                           for line in text_of(original).splitlines())
        body += (f"\n\nOn Thu, Dec 3, 2026 at 9:15 AM Open Data Portal "
                 f"<{original['Reply-To']}> wrote:\n\n{quoted}\n")
    reply.set_content(body)
    return reply.as_bytes()


def compose(sender, to, subject, text, **headers):
    """The bytes of a new email."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@mail.example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


@pytest.fixture
def commented(people, report, mail):
    """An issue the editor commented on; the emails about the comment as
    received ({address: message}), the reporter's carrying a reply
    address."""
    issue = report()
    send_written()
    mail.clear()
    call_as(people["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Which stop do you mean exactly?")
    send_written()
    emails = delivered(mail, 2)  # the reporter and the admin
    mail.clear()
    return issue, emails
