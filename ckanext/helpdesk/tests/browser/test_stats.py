"""The statistics pages in Chromium, on a desktop and a phone: axe-core
finds no serious or critical violation, nothing scrolls sideways on the
phone, and the charts are drawn with scripts off too. The desktop run
saves the screenshot README.rst shows."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.model import Comment, Issue
from ckanext.helpdesk.tests.browser.axe import serious_violations
from ckanext.helpdesk.tests.browser.conftest import DESKTOP, PHONE, \
    ckan_width, page_width, screenshot
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CATEGORIES = ("data-problem", "improvement", "question", "data-request")


@pytest.fixture
def history(portal):
    """A year of issues on the portal's dataset and data requests: one
    every nine days, every other one answered within hours or days, every
    third one resolved, some with +1s."""
    now = datetime.datetime.now(datetime.timezone.utc)
    publisher, visitor = portal["publisher"], portal["visitor"]
    for number in range(40):
        category = CATEGORIES[number % len(CATEGORIES)]
        target = ({"organization_id": portal["org"]["id"]}
                  if category == "data-request"
                  else {"dataset_id": portal["dataset"]["id"]})
        issue = call_as(visitor, "helpdesk_issue_create", category=category,
                        title=f"Stop {number} moved",
                        description="It is across the street now.", **target)
        reported = now - datetime.timedelta(days=9 * number + 1)
        model.Session.execute(sa.update(Issue).where(
            Issue.id == issue["id"]).values(created=reported))
        if number % 2 == 0:
            reply = call_as(publisher, "helpdesk_comment_create",
                            issue_id=issue["id"], body="Thanks, on it.")
            model.Session.execute(sa.update(Comment).where(
                Comment.id == reply["id"]).values(
                created=reported + datetime.timedelta(hours=3 + 7 * number)))
        if number % 3 == 0:
            call_as(publisher, "helpdesk_issue_update", id=issue["id"],
                    status="resolved")
            resolved = reported + datetime.timedelta(days=number % 20 + 1)
            model.Session.execute(sa.update(Issue).where(
                Issue.id == issue["id"]).values(resolved_at=resolved))
        elif number % 5 == 0:
            call_as(publisher, "helpdesk_issue_vote", id=issue["id"])
        model.Session.commit()
    return portal


@pytest.mark.parametrize("screen", [DESKTOP, PHONE],
                         ids=["desktop", "phone"])
def test_the_statistics_pages_are_accessible_and_fit_a_phone(
        live_server, page, history, screen):
    page.set_viewport_size(screen)
    fits = ckan_width(page, live_server)
    found, too_wide = {}, {}
    for path in ("/issues/stats",
                 f"/organization/{history['org']['name']}/issues/stats"):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert page.locator("svg.helpdesk-chart").count() == 2
        violations = serious_violations(page)
        if violations:
            found[path] = violations
        if page_width(page) > fits:
            too_wide[path] = [page_width(page), fits]
        if screen is DESKTOP and path == "/issues/stats":
            screenshot(page, "statistics")
    assert found == {}
    assert too_wide == {}


def test_the_charts_and_tables_are_there_with_scripts_off(
        live_server, browser, history):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/issues/stats?window=365&sort=-reported")
        assert page.locator("svg.helpdesk-chart rect").count() > 10
        page.get_by_text("The weekly figures as a table").click()
        assert page.get_by_role("table", name="Issues opened and closed per "
                                "week (weeks start on Monday), by category"
                                ).is_visible()
        heading = page.locator("th[aria-sort]")
        assert heading.get_attribute("aria-sort") == "descending"
    finally:
        context.close()
