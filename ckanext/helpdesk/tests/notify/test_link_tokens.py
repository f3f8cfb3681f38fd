"""The links of emails (unsubscribe, confirm an address) are opaque: their
token names no address, user or issue, however it is decoded; they expire
after ckanext.helpdesk.notify.token_lifetime days; and the pages they open
name an issue only while the holder may see it."""
import base64
import binascii
import datetime
import zlib

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.model import EmailConfirmation, Notification
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.notify.conftest import (
    csrf_token, delivered, link_in)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _readings(token):
    """The token and every base64 (and zlib) decoding of its parts, as a
    curious reader would try."""
    readings = [token]
    for part in token.split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        readings.append(raw.decode("latin-1"))
        try:
            readings.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            pass
    return readings


def _assert_opaque(link, *secrets):
    token = link.rstrip("/").removesuffix("/one-click").rsplit("/", 1)[1]
    for reading in _readings(token):
        for secret in secrets:
            assert secret.lower() not in reading.lower(), (secret, reading)


def _age(table, column, where, days):
    """Move a token's birth `days` into the past."""
    model.Session.execute(sa.update(table).where(where).values(
        {column: getattr(table.c, column) - datetime.timedelta(days=days)}))
    model.Session.commit()


def test_unsubscribe_links_name_no_address_user_or_issue(
        people, follower_email):
    issue, message = follower_email
    for link in (link_in(message, "/helpdesk/unsubscribe/"),
                 message["List-Unsubscribe"].strip("<>")):
        _assert_opaque(link, people["follower"]["email"],
                       people["follower"]["id"], people["follower"]["name"],
                       issue["id"])


@pytest.mark.ckan_config("ckanext.helpdesk.notify.token_lifetime", 1)
def test_an_expired_unsubscribe_link_is_refused_and_changes_nothing(
        people, follower_email, app):
    issue, message = follower_email
    page_link = link_in(message, "/helpdesk/unsubscribe/")
    table = Notification.__table__
    for column in ("created", "sent_at"):
        _age(table, column, table.c.email == people["follower"]["email"], 2)

    assert app.get(page_link).status_code == 410
    one_click = app.post(page_link + "/one-click",
                         data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 410
    assert call_as(people["follower"], "helpdesk_issue_show",
                   id=issue["id"])["subscribed"]


def test_the_unsubscribe_page_names_no_issue_the_holder_can_no_longer_see(
        people, follower_email, app):
    issue, message = follower_email
    page_link = link_in(message, "/helpdesk/unsubscribe/")
    call_as(people["admin"], "package_patch", id=people["dataset"]["id"],
            private=True)

    page = app.get(page_link)
    assert page.status_code == 200
    assert "Stop 12 is missing" not in page.body
    # The holder can still stop the email.
    done = app.post(page_link, data={"_csrf_token": csrf_token(page.body)})
    assert "Stop 12 is missing" not in done.body
    assert "You will receive no more email about this issue." in done.body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.ckan_config("ckanext.helpdesk.notify.token_lifetime", 1)
def test_confirmation_links_are_opaque_and_expire(
        people, report, mail, run_jobs, app):
    issue = report(user=None, reporter_name="Ann",
                   reporter_email="ann@example.org")
    run_jobs()
    message = delivered(mail, 3)["ann@example.org"]
    link = link_in(message, "/helpdesk/confirm/")
    _assert_opaque(link, "ann@example.org", issue["id"])
    assert app.get(link[:-1]).status_code == 404  # not a token we gave

    table = EmailConfirmation.__table__
    _age(table, "token_created", table.c.email == "ann@example.org", 2)
    assert app.get(link).status_code == 410
    assert app.post(link, data={}).status_code == 410
    assert model.Session.query(EmailConfirmation).one().confirmed_at is None
