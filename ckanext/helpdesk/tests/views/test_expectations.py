"""What visitors may expect: what the status means, what happens next,
the organization's typical time to a first public answer and its response
target, on the confirmation and issue pages; the reporter's Reopen
button."""
import re

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import issue_url, make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TYPICAL = ("Typically the first public answer comes within 1 minute "
           "(median of the last 90 days).")
TARGET = "The publisher aims to answer publicly within 3 working days."


def _answer(portal, issue):
    call_as(portal["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Thanks, looking.")


def _expectations(page):
    found = re.search(r'<section class="helpdesk-expectations.*?</section>',
                      page, re.S)
    return found and " ".join(re.sub(r"<[^>]+>", " ", found.group(0))
                              .split())


def test_the_confirmation_says_what_happens_next_and_the_typical_wait(
        visitor, portal):
    for _ in range(3):
        _answer(portal, factories.Issue(user=portal["reporter"],
                                        dataset_id=portal["dataset"]["id"]))
    visitor.sign_in(portal["reporter"])

    confirmation = visitor.post(
        f"/dataset/{portal['dataset']['name']}/issues/new",
        {"category": "data-problem", "title": "Stop 9 moved",
         "description": "It is across the road now."},
        follow_redirects=True).body

    box = _expectations(confirmation)
    assert "What happens next" in box
    assert ("New: Reported; the publisher has not looked at it yet."
            in box)
    assert "The publisher has been told by email" in box
    assert TYPICAL in box
    assert TARGET in box  # the organization's promise, beside its record
    assert "Reopen" not in box


def test_no_typical_wait_is_claimed_from_fewer_than_three_answers(
        visitor, portal):
    for _ in range(2):
        _answer(portal, factories.Issue(user=portal["reporter"],
                                        dataset_id=portal["dataset"]["id"]))
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])

    box = _expectations(visitor.get(issue_url(issue)).body)

    assert "What happens next" in box
    assert "Typically" not in box
    assert TARGET in box  # promised even before there is a record


@pytest.mark.parametrize("status, meaning", [
    ("acknowledged", "The publisher has read it"),
    ("in_progress", "The publisher is working on it."),
    ("resolved", "The publisher says it is fixed."),
    ("wont_fix", "The publisher will not change this"),
])
def test_the_issue_page_says_what_its_status_means(visitor, portal, status,
                                                   meaning):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            status=status)

    page = visitor.get(issue_url(issue)).body

    assert meaning in _expectations(page)
    assert f'title="{meaning}' in page  # the status badge's tooltip


@pytest.fixture
def resolved(portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    call_as(portal["editor"], "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Fixed in the May file.")
    return issue


def test_the_reporter_reopens_a_resolved_issue_from_its_page(
        visitor, portal, resolved):
    visitor.sign_in(portal["reporter"])
    page = visitor.get(issue_url(resolved)).body
    assert "Reopen" in _expectations(page)

    done = visitor.post(f"/helpdesk/issues/{resolved['id']}/reopen",
                        {"comment": "Still wrong for 2019."},
                        follow_redirects=True)

    assert done.status_code == 200
    assert "The issue was reopened" in done.body
    assert "Still wrong for 2019." in done.body
    timeline = re.findall(r'<li class="helpdesk-event[^"]*">(.*?)</li>',
                          done.body, re.S)
    assert f"{portal['reporter']['name']} reopened it" in timeline[-1]
    assert "Reported; the publisher has not looked at it yet." in \
        _expectations(done.body)
    assert "Reopen" not in _expectations(done.body)


@pytest.mark.parametrize("who", ["anonymous", "editor", "stranger"])
def test_nobody_but_the_reporter_is_offered_or_allowed_the_reopen(
        visitor, portal, resolved, who):
    if who != "anonymous":
        visitor.sign_in(portal[who] if who in portal else make_user())

    page = visitor.get(issue_url(resolved)).body
    refused = visitor.post(f"/helpdesk/issues/{resolved['id']}/reopen")

    assert "Reopen" not in _expectations(page)
    assert refused.status_code == 403
    assert "Resolved" in _expectations(visitor.get(issue_url(resolved)).body)


def test_reopening_an_open_issue_is_a_400_naming_the_status(visitor,
                                                           portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["reporter"])

    refused = visitor.post(f"/helpdesk/issues/{issue['id']}/reopen")

    assert refused.status_code == 400
    assert "status:" in refused.body
