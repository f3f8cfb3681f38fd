"""What the notification tests share: a publishing organization with its
people, the issue they report, reading delivered emails and following
their links."""
import os
import re
import subprocess

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.model import Notification
from ckanext.helpdesk.tests.conftest import CKAN, TEST_INI
from ckanext.helpdesk.tests.helpers import call_as


def notifications(**filters):
    model.Session.expire_all()
    return model.Session.query(Notification).filter_by(**filters).order_by(
        Notification.email).all()


def delivered(mail, count, timeout=30):
    """{recipient address: EmailMessage} once `count` emails arrived; each
    email has exactly one envelope recipient."""
    messages = mail.wait_for(count, timeout)
    assert len(messages) == count, [subject_of(m) for _r, m in messages]
    by_address = {}
    for recipients, message in messages:
        assert len(recipients) == 1, recipients
        by_address[recipients[0]] = message
    return by_address


def subject_of(message):
    """The subject as a mail client shows it (unfolded: Python's email
    package may fold a long subject before its first word)."""
    return " ".join(message["Subject"].split())


def text_of(message):
    return message.get_body(("plain",)).get_content()


def link_in(message, path):
    """The first link of the plain-text body whose path starts with
    `path`, e.g. "/helpdesk/confirm/"; its path on the site."""
    url = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)",
                    text_of(message))
    assert url, text_of(message)
    return url.group(1)


def csrf_token(page):
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


def confirm_address(app, message):
    """Follow the link of a confirmation email signed out, as its reader
    would: open the page, press the button."""
    link = link_in(message, "/helpdesk/confirm/")
    page = app.get(link)
    assert page.status_code == 200, page.body
    done = app.post(link, data={"_csrf_token": csrf_token(page.body)})
    assert "Your address is confirmed" in done.body


@pytest.fixture(autouse=True)
def no_stale_jobs(with_plugins):
    """Start from empty job queues: jobs an earlier run left behind would
    make the next worker send their emails (or time out)."""
    tk.get_action("job_clear")({"ignore_auth": True}, {})


@pytest.fixture
def people():
    """An organization's admin and editor, a plain member, a sysadmin and
    two outsiders (a reporter and a follower)."""
    admin, editor, member = (factories.User(fullname=f"The {role}")
                             for role in ("admin", "editor", "member"))
    organization = factories.Organization(
        title="Transport Office",
        users=[{"name": admin["name"], "capacity": "admin"},
               {"name": editor["name"], "capacity": "editor"},
               {"name": member["name"], "capacity": "member"}])
    dataset = factories.Dataset(
        owner_org=organization["id"], title="Bus stops",
        maintainer="Mia Maintainer", maintainer_email="mia@example.org")
    return dict(admin=admin, editor=editor, member=member,
                sysadmin=factories.Sysadmin(),
                reporter=factories.User(fullname="Rita Reporter"),
                follower=factories.User(fullname="Finn Follower"),
                organization=organization, dataset=dataset)


@pytest.fixture
def report(people, issue_factory):
    """Report an issue on the bus stops dataset (as the reporter unless
    told: a key of `people`, or None for a visitor), by default the one
    whose title and text the emails' assertions quote."""
    def report(user="reporter", **data):
        data.setdefault("dataset_id", people["dataset"]["id"])
        data.setdefault("title", "Stop 12 is missing")
        data.setdefault("description", "The stop on Main Street is gone.")
        return issue_factory(user=people.get(user), **data)
    return report


@pytest.fixture
def followed(people, report, mail, run_jobs):
    """An issue the follower commented on (so follows), its emails sent."""
    issue = report()
    call_as(people["follower"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Me too.")
    run_jobs()
    mail.clear()
    return issue


@pytest.fixture
def follower_email(people, followed, mail, run_jobs):
    """(the followed issue, the email the follower got about the editor's
    comment on it)."""
    call_as(people["editor"], "helpdesk_comment_create",
            issue_id=followed["id"], body="Looking into it.")
    run_jobs()
    message = delivered(mail, 3)[people["follower"]["email"]]
    mail.clear()
    return followed, message


def ini_with(path, **options):
    """Write at `path` a configuration of test.ini with `options` on top
    (option names with "__" for "."), for a separate CKAN process."""
    lines = "".join(f"{key.replace('__', '.')} = {value}\n"
                    for key, value in options.items())
    logging = TEST_INI.read_text().split("[loggers]", 1)[1]
    path.write_text(f"[app:main]\nuse = config:{TEST_INI}\n{lines}\n"
                    f"[loggers]{logging}")  # `ckan run` configures logging
    return path


@pytest.fixture
def run_jobs_with(tmp_path):
    """Run the real RQ worker with options on top of test.ini: the worker
    reads its own configuration (the test process's config does not reach
    it), as each process of a portal does."""
    def run(**options):
        ini = ini_with(tmp_path / "worker.ini", **options)
        done = subprocess.run([str(CKAN), "-c", str(ini), "jobs", "worker",
                               "--burst"], env=os.environ.copy(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return run
