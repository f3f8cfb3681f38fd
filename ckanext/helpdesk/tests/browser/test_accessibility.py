"""axe-core finds no serious or critical accessibility violation on the
dataset page, the report form and the issue page."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.browser.axe import serious_violations
from ckanext.helpdesk.tests.views.conftest import create_issue

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def issue(portal):
    issue = create_issue(portal["visitor"], portal["dataset"],
                         title="Stop 42 is missing",
                         description="It was there **last week**.")
    tk.get_action("helpdesk_comment_create")(
        {"user": portal["publisher"]["name"]},
        {"issue_id": issue["id"], "body": "Looking into it."})
    return issue


@pytest.mark.parametrize("path", [
    "/dataset/{dataset}",
    "/dataset/{dataset}/issues",
    "/dataset/{dataset}/issues/new",
    "/dataset/{dataset}/issues/{number}",
])
def test_no_serious_accessibility_violations(live_server, page, sign_in,
                                             portal, issue, path):
    sign_in(live_server, portal["publisher"])  # the fullest pages
    page.goto(live_server + path.format(dataset=portal["dataset"]["name"],
                                        number=issue["number"]))

    assert serious_violations(page) == []
