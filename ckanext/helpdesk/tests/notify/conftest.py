"""What the notification tests share: a publishing organization with its
people, actions called as a given user, and reading delivered emails."""
import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.model import Notification


def act(action, user=None, **data):
    """Call an action as `user` (a user dict; None for a visitor), with
    auth checked, as a page or the API would."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return tk.get_action(action)(context, data)


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
def report(people):
    """Report an issue on the dataset (as the reporter unless told)."""
    def report(user="reporter", **data):
        data.setdefault("dataset_id", people["dataset"]["id"])
        data.setdefault("category", "data-problem")
        data.setdefault("title", "Stop 12 is missing")
        data.setdefault("description", "The stop on Main Street is gone.")
        return act("helpdesk_issue_create", people.get(user), **data)
    return report
