"""The portal is no email relay: an address given without an account gets
the confirmation email and nothing else (at most one per interval, however
often it is given) until its owner follows the link, which subscribes it
to the issue. Over HTTP against a real CKAN server, with the real Redis,
RQ worker and SMTP server; the emails are counted as received."""
import re

import pytest
import requests

import ckan.model as model

from ckanext.helpdesk.model import EmailConfirmation, Subscription
from ckanext.helpdesk.tests.conftest import ckan_server
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    confirm_address, csrf_token, delivered, ini_with, link_in, notifications,
    subject_of, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

VICTIM = "victim@example.org"


@pytest.fixture
def anonymous_portal(tmp_path):
    """A real CKAN server of the test portal where visitors may report."""
    ini = ini_with(tmp_path / "anonymous.ini",
                   ckanext__helpdesk__allow_anonymous="true")
    with ckan_server(ini) as url:
        yield url


def _to(mail, address):
    return [message for recipients, message in mail.messages
            if recipients == [address]]


def _report_as_visitor(url, dataset_name, count):
    """Report `count` issues through the form, signed out, each giving the
    victim's address."""
    session = requests.Session()
    form_url = f"{url}/dataset/{dataset_name}/issues/new"
    token = csrf_token(session.get(form_url, timeout=30).text)
    for number in range(count):
        response = session.post(form_url, data={
            "_csrf_token": token, "category": "question",
            "title": f"Cheap pills {number}, visit spam.example",
            "description": "Buy now.", "reporter_name": "Spam",
            "reporter_email": VICTIM}, timeout=30, allow_redirects=False)
        assert response.status_code == 302, response.text


def _confirm_over_http(url, message):
    """Follow the confirmation link signed out: the page, then its
    button."""
    link = url + link_in(message, "/helpdesk/confirm/")
    session = requests.Session()
    page = session.get(link, timeout=30)
    assert page.status_code == 200
    done = session.post(link, data={"_csrf_token": csrf_token(page.text)},
                        timeout=30)
    assert "Your address is confirmed" in done.text


def test_ten_anonymous_reports_email_the_address_once_until_it_confirms(
        people, anonymous_portal, mail, run_jobs):
    _report_as_visitor(anonymous_portal, people["dataset"]["name"], 10)
    run_jobs()

    # The publishers hear of each report; the address only once.
    emails = mail.wait_for(21)
    assert len(emails) == 21
    [confirmation] = _to(mail, VICTIM)
    assert subject_of(confirmation) == (
        "[Helpdesk Test Portal] Please confirm your email address")
    assert "pills" not in text_of(confirmation)  # no visitor text relayed
    assert len(notifications(email=VICTIM, status="skipped")) == 9
    assert model.Session.query(Subscription).filter_by(
        email=VICTIM).count() == 0

    # Replies reach an unconfirmed address no more than reports do.
    issues = call_as(None, "helpdesk_issue_search",
                     dataset_id=people["dataset"]["id"], limit=20)["results"]
    for issue in issues:
        call_as(people["editor"], "helpdesk_comment_create",
                issue_id=issue["id"], body="Spam, closing.")
    run_jobs()
    assert len(_to(mail, VICTIM)) == 1

    _confirm_over_http(anonymous_portal, confirmation)
    [confirmed] = model.Session.query(EmailConfirmation).filter(
        EmailConfirmation.confirmed_at.isnot(None)).all()
    assert model.Session.query(Subscription).filter_by(
        email=VICTIM).one().issue_id == confirmed.issue_id

    # From now on the confirmed issue's email flows; the others' not.
    mail.clear()
    for issue in issues:
        call_as(people["admin"], "helpdesk_comment_create",
                issue_id=issue["id"], body="Really closing.")
    run_jobs()
    [reply] = _to(mail, VICTIM)
    assert "Really closing." in text_of(reply)
    number = next(issue["number"] for issue in issues
                  if issue["id"] == confirmed.issue_id)
    assert subject_of(reply).startswith(
        f"[Helpdesk Test Portal] New comment on #{number} ")


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_an_anonymous_commenter_is_subscribed_only_once_confirmed(
        people, report, mail, run_jobs, app):
    issue = report()
    call_as(None, "helpdesk_comment_create", issue_id=issue["id"],
            body="Same here.", author_name="Ann",
            author_email="ann@example.org")
    run_jobs()
    confirmation = delivered(mail, 7)["ann@example.org"]
    assert re.search(r"/helpdesk/confirm/\S+", text_of(confirmation))
    assert not model.Session.query(Subscription).filter_by(
        email="ann@example.org").count()

    confirm_address(app, confirmation)
    mail.clear()
    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    run_jobs()
    assert set(delivered(mail, 2)) == {"ann@example.org",
                                       people["reporter"]["email"]}
