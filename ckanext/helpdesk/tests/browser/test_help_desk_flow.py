"""The help desk as people use it, in real headless Chromium against a
running portal: a visitor reports from the dataset page, the publisher
works the issue from the dashboard queue."""
import re

import pytest
from playwright.sync_api import expect

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.browser.conftest import SCREENS, screenshot

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
# The README shows the desktop screenshots under their plain names.
SUFFIX = {"desktop": "", "phone": "-phone"}


def _report(page, category, title, description):
    page.select_option("#field-category", category)
    page.fill("#field-title", title)
    page.fill("#field-description", description)
    page.get_by_role("button", name="Send", exact=True).click()


def test_visitor_reports_from_the_dataset_page_and_sees_the_count_update(
        live_server, page, sign_in, portal):
    dataset_url = f"{live_server}/dataset/{portal['dataset']['name']}"
    sign_in(live_server, portal["visitor"])
    page.goto(dataset_url)
    expect(page.locator(".helpdesk-open-count")).to_have_text("0")

    page.click("text=Report an issue")
    page.wait_for_load_state()  # the Preview button's module is set up
    page.fill("#field-description", "Stop **42** is *missing*.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#field-description-preview strong")).to_have_text(
        "42")
    _report(page, "data-problem", "Stop 42 is missing",
            "Stop **42** is *missing*.")

    expect(page.locator("h1")).to_contain_text("your report was sent")
    page.click("text=Stop 42 is missing")
    expect(page.locator(".helpdesk-issue-title")).to_have_text(
        "Stop 42 is missing")

    page.goto(dataset_url)
    expect(page.locator(".helpdesk-open-count")).to_have_text("1")
    expect(page.locator(".helpdesk-dataset")).to_contain_text(
        "Stop 42 is missing")
    screenshot(page, "dataset-page")


@pytest.mark.parametrize("size", SCREENS)
def test_publisher_finds_assigns_replies_and_resolves(
        live_server, page, sign_in, portal, size):
    page.set_viewport_size(SCREENS[size])
    factories.Issue(user=portal["visitor"], dataset_id=portal["dataset"]["id"],
                    title="Stop 42 is missing",
                    description="It was there last **week**.")
    sign_in(live_server, portal["publisher"])

    page.goto(f"{live_server}/dashboard/issues?assignee=none")
    expect(page.locator(".helpdesk-issue-list")).to_contain_text(
        "Stop 42 is missing")
    screenshot(page, "dashboard-queue" + SUFFIX[size])
    page.click("text=Stop 42 is missing")

    page.select_option("#field-assignee", portal["publisher"]["name"])
    page.fill("#field-triage-comment", "Added back, thanks!")
    page.get_by_role("button", name="Reply and resolve").click()

    expect(page.locator(".alert-success")).to_contain_text(
        "Your reply was posted and the issue resolved")
    meta = page.locator(".helpdesk-issue-page header")
    expect(meta).to_contain_text("Resolved")
    expect(meta).to_contain_text(f"Assigned to {portal['publisher']['name']}")
    timeline = page.locator(".helpdesk-timeline")
    expect(timeline).to_contain_text("Added back, thanks!")
    expect(timeline).to_contain_text("from New to Resolved")
    screenshot(page, "issue-page" + SUFFIX[size])

    page.goto(f"{live_server}/dashboard/issues")  # open ones by default
    expect(page.locator(".helpdesk-result-count")).to_have_text("0 issues")
    page.goto(f"{live_server}/dashboard/issues?status=resolved")
    expect(page.locator(".helpdesk-result-count")).to_have_text("1 issue")


def test_publisher_writes_an_internal_note_in_the_tinted_tab(
        live_server, page, sign_in, portal):
    issue = factories.Issue(user=portal["visitor"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 42 is missing")
    sign_in(live_server, portal["publisher"])
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}/issues/"
              f"{issue['number']}")
    composer = page.locator(".helpdesk-composer")
    public_colour = composer.evaluate("e => getComputedStyle(e).backgroundColor")

    page.get_by_text("Internal note", exact=True).click()
    expect(composer).not_to_have_css("background-color", public_colour)
    expect(page.locator(".helpdesk-composer-internal-hint")).to_be_visible()
    screenshot(page, "composer-internal-note")
    page.fill("#field-triage-comment", "Ask the depot first.")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text(
        "only the organization sees it")
    expect(page.locator(".helpdesk-internal")).to_contain_text(
        "Ask the depot first.")


@pytest.mark.parametrize("size", SCREENS)
def test_publisher_bulk_resolves_with_select_all_then_undoes_it(
        live_server, page, sign_in, portal, size):
    page.set_viewport_size(SCREENS[size])
    for title in ("Stop 1 is missing", "Stop 2 is missing"):
        factories.Issue(user=portal["visitor"],
                        dataset_id=portal["dataset"]["id"], title=title)
    sign_in(live_server, portal["publisher"])
    page.goto(f"{live_server}/dashboard/issues")
    # CKAN sets its modules up after loading its translations: the
    # select-all box, shown by its module, says they are ready.
    expect(page.locator("#helpdesk-select-all")).to_be_visible()

    # Filters apply as soon as they are chosen.
    page.select_option("#helpdesk-sort", "oldest")
    page.wait_for_url(re.compile(r"sort=oldest"))
    page.check("#helpdesk-select-all")
    expect(page.locator("input[name=issue_id]:checked")).to_have_count(2)
    expect(page.locator("#bulk-status")).to_have_value("")
    page.select_option("#bulk-status", "resolved")
    page.get_by_role("button", name="Apply").click()

    name = portal["dataset"]["name"]
    undo = page.locator(".helpdesk-bulk-undo")
    expect(undo).to_contain_text(f"2 issues changed to Resolved: {name}#1, "
                                 f"{name}#2")
    expect(page.locator(".helpdesk-result-count")).to_have_text("0 issues")
    screenshot(page, "bulk-undo" + SUFFIX[size])
    undo.get_by_role("button", name="Undo").click()

    expect(page.locator(".alert-success")).to_contain_text("Undone")
    expect(page.locator(".helpdesk-result-count")).to_have_text("2 issues")


def test_anonymous_visitor_is_refused_where_reports_need_an_account(
        live_server, page, portal):
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}")
    page.click("text=Report an issue")

    expect(page.locator("h1")).to_have_text("Sign in to report an issue")
    expect(page.locator("#field-title")).to_have_count(0)


def test_anonymous_visitor_reports_where_allowed(anonymous_server, page,
                                                 portal):
    page.goto(f"{anonymous_server}/dataset/{portal['dataset']['name']}")
    page.click("text=Report an issue")
    page.fill("#field-reporter-name", "Ada")
    page.fill("#field-reporter-email", "ada@example.org")
    _report(page, "question", "How often is it updated?",
            "The page says weekly.")

    expect(page.locator("h1")).to_contain_text("your report was sent")
    expect(page.locator(".helpdesk-issue-link")).to_have_text(
        re.compile(r"/issues/1$"))
    page.click("text=How often is it updated?")
    expect(page.locator(".helpdesk-meta")).to_contain_text("Reported by Ada")
    expect(page.locator("body")).not_to_contain_text("ada@example.org")
