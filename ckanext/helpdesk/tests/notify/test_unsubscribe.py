"""The unsubscribe link of every email: unguessable, one click, no sign-in."""
import re

import pytest

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    csrf_token, delivered, notifications, text_of)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SITE = "http://127.0.0.1:5050"


def _links(message):
    """(the page link in the body, the one-click URL of the header)."""
    page = re.search(r"Stop email about this issue: (\S+)",
                     text_of(message)).group(1)
    one_click = message["List-Unsubscribe"].strip("<>")
    return page.removeprefix(SITE), one_click.removeprefix(SITE)


@pytest.fixture
def followed_issue(follower_email):
    """(the issue the follower follows, their unsubscribe links from the
    email about the next comment)."""
    issue, message = follower_email
    return issue, _links(message)


def test_the_link_works_signed_out_and_stops_email_about_the_issue(
        people, followed_issue, app, mail, run_jobs):
    issue, (page_link, _one_click) = followed_issue

    page = app.get(page_link)
    assert page.status_code == 200
    assert "Stop receiving email about this issue?" in page.body
    done = app.post(page_link, data={"_csrf_token": csrf_token(page.body)})
    assert "You will receive no more email about this issue." in done.body

    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Fixed.")
    run_jobs()
    # The editor follows since their comment; the follower no more.
    assert set(delivered(mail, 2)) == {people["reporter"]["email"],
                                       people["editor"]["email"]}
    assert not call_as(people["follower"], "helpdesk_issue_show",
                       id=issue["id"])["subscribed"]


def test_mail_clients_unsubscribe_with_one_click(
        people, followed_issue, app, mail, run_jobs):
    issue, (_page_link, one_click) = followed_issue

    response = app.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200

    call_as(people["admin"], "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    run_jobs()
    assert set(delivered(mail, 2)) == {people["reporter"]["email"],
                                       people["editor"]["email"]}


def test_a_publisher_can_unsubscribe_from_one_issue(
        people, report, app, mail, run_jobs):
    issue = report()
    run_jobs()
    emails = delivered(mail, 3)
    mail.clear()
    _page, one_click = _links(emails[people["admin"]["email"]])
    app.post(one_click, data={"List-Unsubscribe": "One-Click"})

    call_as(people["reporter"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Any news?")
    run_jobs()
    assert set(delivered(mail, 1)) == {people["editor"]["email"]}


@pytest.mark.parametrize("tamper", [
    lambda link: link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"),
    lambda link: link[:-1],
])
def test_a_tampered_link_is_refused(followed_issue, app, tamper):
    issue, (page_link, one_click) = followed_issue

    assert app.get(tamper(page_link)).status_code == 404
    response = app.post(tamper(one_click.removesuffix("/one-click"))
                        + "/one-click",
                        data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert notifications(issue_id=issue["id"], status="pending") == []


def test_every_email_offers_one_click_unsubscribe_in_its_headers(
        people, report, mail, run_jobs):
    report()
    run_jobs()

    for _recipients, message in mail.wait_for(3):
        # As it came over the wire: one line, not RFC 2047 encoded-words.
        raw = dict(message.raw_items())["List-Unsubscribe"].strip()
        assert re.fullmatch(rf"<{SITE}/helpdesk/unsubscribe/\S+/one-click>",
                            raw), raw
        assert message["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click")
