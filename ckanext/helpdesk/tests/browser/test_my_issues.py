"""A reporter finds the publisher's reply under "My issues", led there by
the unread marker, in real headless Chromium on a desktop and a phone."""
import pytest
from playwright.sync_api import expect

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.browser.axe import serious_violations
from ckanext.helpdesk.tests.browser.conftest import SCREENS, ckan_width, \
    page_width, screenshot
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def replied(portal):
    """The visitor's issue, answered by the publisher."""
    issue = factories.Issue(user=portal["visitor"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 42 is missing")
    call_as(portal["publisher"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Found it: back next week.")
    return issue


@pytest.mark.parametrize("size", SCREENS)
def test_reporter_finds_the_reply_under_my_issues_with_the_unread_marker(
        live_server, page, sign_in, portal, replied, size):
    page.set_viewport_size(SCREENS[size])
    sign_in(live_server, portal["visitor"])

    page.goto(f"{live_server}/dataset/")
    marker = page.locator(".helpdesk-unread-marker a")
    expect(marker).to_have_attribute(
        "title", "1 issue you follow changed since you last looked")
    page.goto(live_server + marker.get_attribute("href"))
    row = page.locator(".helpdesk-issue", has_text="Stop 42 is missing")
    expect(row.locator(".helpdesk-unread")).to_have_text(
        "Updated since you last looked")
    screenshot(page, f"my-issues-{size}")

    row.locator("a.helpdesk-title").click()
    expect(page.locator("body")).to_contain_text("Found it: back next week.")

    page.goto(f"{live_server}/dashboard/issues")
    expect(page.locator(".helpdesk-issue", has_text="Stop 42 is missing")
           ).to_be_visible()
    expect(page.locator(".helpdesk-unread")).to_have_count(0)
    expect(page.locator(".helpdesk-unread-marker")).to_have_count(0)


def test_my_issues_has_no_serious_accessibility_violations(
        live_server, page, sign_in, portal, replied):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(live_server, portal["visitor"])

    page.goto(f"{live_server}/dashboard/issues")

    expect(page.locator(".helpdesk-unread")).to_have_count(1)
    assert serious_violations(page) == []


@pytest.mark.parametrize("size", SCREENS)
def test_reporter_reopens_a_resolved_issue_that_is_not_fixed_for_them(
        live_server, page, sign_in, portal, size):
    issue = factories.Issue(user=portal["visitor"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 7 has the wrong name")
    call_as(portal["publisher"], "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Renamed in this week's file.")
    page.set_viewport_size(SCREENS[size])
    sign_in(live_server, portal["visitor"])
    fits = ckan_width(page, live_server)

    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}"
              f"/issues/{issue['number']}")
    page.get_by_label("Not fixed for you? Say why (optional)").fill(
        "Still the old name in the CSV.")
    page.get_by_role("button", name="Reopen").click()

    timeline = page.locator("#comments")
    expect(timeline).to_contain_text("reopened it")
    expect(timeline).to_contain_text("Still the old name in the CSV.")
    expect(page.get_by_role("button", name="Reopen")).to_have_count(0)
    assert tk.get_action("helpdesk_issue_show")(
        {"ignore_auth": True}, {"id": issue["id"]})["status"] == "new"
    assert page_width(page) <= fits
