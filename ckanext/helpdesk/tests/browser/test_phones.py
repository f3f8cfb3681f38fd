"""The help desk on a 390x844 phone as on a 1280x900 desktop: a report
whose duplicate is suggested while its title is typed, and taken (+1
instead of a second issue); no help desk page scrolls sideways on a
phone."""
import pytest
from playwright.sync_api import expect

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.browser.conftest import DESKTOP, PHONE, \
    ckan_width, page_width, screenshot

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE],
                         ids=["desktop", "phone"])
def test_visitor_typing_a_title_is_offered_the_open_duplicate_and_plus_ones_it_instead(  # noqa: E501
        live_server, page, sign_in, portal, screen):
    page.set_viewport_size(screen)
    fits = ckan_width(page, live_server)
    factories.Issue(user=portal["publisher"],
                    dataset_id=portal["dataset"]["id"],
                    title="Stop 42 is missing from the file",
                    description="Since the last update.")
    factories.Issue(user=portal["publisher"],
                    dataset_id=portal["dataset"]["id"],
                    title="Timetable columns are swapped",
                    description="Arrival and departure.")
    sign_in(live_server, portal["visitor"])
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}")
    page.click("text=Report an issue")
    page.wait_for_load_state()  # htmx is set up
    # The form explains its categories, and offers no data request (that
    # is asked of the organization).
    expect(page.locator(".helpdesk-category-help")).to_contain_text(
        "Something in the data is wrong")
    expect(page.locator("#field-category option[value=data-request]")
           ).to_have_count(0)

    page.locator("#field-title").press_sequentially("bus stop 42 missing")
    suggestions = page.locator(".helpdesk-similar")
    expect(suggestions).to_contain_text("Stop 42 is missing from the file")
    expect(suggestions).not_to_contain_text("Timetable")
    screenshot(page, f"report-duplicate-{screen['width']}")
    suggestions.get_by_role("button", name="+1 this instead").click()

    expect(page.locator(".helpdesk-issue-title")).to_have_text(
        "Stop 42 is missing from the file")
    expect(page.get_by_role("button", name="+1 (1) · withdraw")
           ).to_be_visible()
    assert page_width(page) <= fits
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}/issues")
    expect(page.locator(".helpdesk-result-count")).to_have_text("2 issues")


def test_no_help_desk_page_scrolls_sideways_on_a_phone(
        live_server, page, sign_in, every_page):
    admin, paths = every_page
    page.set_viewport_size(PHONE)
    sign_in(live_server, admin)
    fits = ckan_width(page, live_server)
    too_wide = {}
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")  # htmx fragments too
        if page_width(page) > fits:
            too_wide[path] = [page_width(page), fits]
    assert too_wide == {}


def test_on_a_phone_the_issue_comes_before_the_dataset_sidebar_and_the_help_desk_button_near_the_top(  # noqa: E501
        live_server, page, portal):
    issue = factories.Issue(user=portal["visitor"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 42 is missing")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}"
              f"/issues/{issue['number']}")
    title = page.locator(".helpdesk-issue-title").bounding_box()
    sidebar = page.locator("aside.secondary").bounding_box()
    assert title["y"] < sidebar["y"]
    screenshot(page, "issue-page-phone")

    page.goto(f"{live_server}/dataset/{portal['dataset']['name']}")
    button = page.locator(".helpdesk-button:visible")
    expect(button).to_have_count(1)
    assert button.bounding_box()["y"] < PHONE["height"]
    assert button.bounding_box()["y"] < page.locator(
        "aside.secondary").bounding_box()["y"]
