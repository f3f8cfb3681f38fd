"""Finding one's way around issue pages: the dataset's Issues tab is
highlighted and an Issues breadcrumb leads back to the list; links asking
a visitor to sign in bring them back where they were; without htmx the
+1 and subscribe POSTs return to the buttons."""
import re

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import issue_url, \
    sign_in_came_from

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def issue(portal):
    return factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"],
                           title="Stop 42 is missing")


def test_issue_page_highlights_the_issues_tab_and_has_an_issues_breadcrumb(
        visitor, portal, issue):
    page = visitor.get(issue_url(issue)).body
    issues = f"/dataset/{portal['dataset']['name']}/issues"

    assert re.search(r'<li class="active"><a href="' + re.escape(issues)
                     + r'"', page)
    breadcrumb = page[page.index('class="breadcrumb"'):]
    breadcrumb = breadcrumb[:breadcrumb.index("</ol>")]
    assert f'<li><a href="{issues}">Issues</a></li>' in breadcrumb
    assert f"#{issue['number']}" in breadcrumb


def test_sign_in_links_carry_came_from_back_to_the_issue(
        visitor, portal, issue):
    page = visitor.get(issue_url(issue)).body

    assert "Sign in to +1 (0)" in page
    assert sign_in_came_from(page) == issue_url(issue)


def test_plus_one_and_subscribe_return_to_the_buttons(
        visitor, portal, issue):
    visitor.sign_in(portal["editor"])

    for path, field in (("vote", "vote"), ("subscribe", "subscribe")):
        response = visitor.post(f"/helpdesk/issues/{issue['id']}/{path}",
                                {field: "1"}, follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(
            issue_url(issue) + "#helpdesk-actions")
