"""Feedback on the issue page: +1, subscribe and a comment change the page
where they were made (in place with htmx from CKAN 2.11; on CKAN 2.10,
which has no htmx, as whole-page POSTs that come back to the issue); a
refused comment shows its error beside the field, keeping what was
typed."""
import pytest
from playwright.sync_api import expect

from ckanext.helpdesk.helpers import helpdesk_htmx_available
from ckanext.helpdesk.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_plus_one_subscribe_and_comment_update_the_issue_page_in_place(
        live_server, page, sign_in, portal):
    issue = factories.Issue(user=portal["publisher"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 42 is missing")
    sign_in(live_server, portal["visitor"])
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}"
              f"/issues/{issue['number']}")
    page.wait_for_load_state()  # htmx is set up
    # A page loaded anew would lose this mark.
    page.evaluate("window.helpdeskSamePage = true")

    page.get_by_role("button", name="+1 (0) · this affects me too").click()
    expect(page.get_by_role("button", name="+1 (1) · withdraw")
           ).to_be_visible()
    page.get_by_role("button", name="Subscribe to updates").click()
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".helpdesk-comment-form .error-block")
           ).to_be_visible()
    page.fill("#field-comment-body", "Still missing **today**.")
    page.get_by_role("button", name="Comment", exact=True).click()

    expect(page.locator(".helpdesk-timeline strong", has_text="today")
           ).to_be_visible()
    expect(page.locator("#field-comment-body")).to_have_value("")
    # In place, the page was never loaded anew.
    assert page.evaluate("window.helpdeskSamePage === true") is (
        helpdesk_htmx_available())
    page.reload()
    expect(page.get_by_role("button", name="+1 (1) · withdraw")
           ).to_be_visible()
    expect(page.locator(".helpdesk-timeline")).to_contain_text("Still missing")
