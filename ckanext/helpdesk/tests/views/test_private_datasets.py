"""A private dataset's issues appear on no page, count or list for a
visitor, and do for its publisher."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SECRET = "Secret dataset problem"


@pytest.fixture
def private_issue(portal):
    dataset = factories.Dataset(owner_org=portal["org"]["id"], private=True)
    return factories.Issue(user=portal["editor"], dataset_id=dataset["id"],
                           title=SECRET)


@pytest.fixture
def outsider(visitor, portal):
    """A signed-in user who is not a member of the organization."""
    return visitor.sign_in(portal["reporter"])


@pytest.mark.parametrize("page", [
    lambda issue: issue_url(issue),
    lambda issue: f"/dataset/{issue['dataset_name']}/issues",
    lambda issue: f"/dataset/{issue['dataset_name']}",
    lambda issue: f"/dataset/{issue['dataset_name']}/issues/latest",
])
def test_private_dataset_issue_pages_are_not_found(outsider, private_issue,
                                                    page):
    assert outsider.get(page(private_issue)).status_code == 404


@pytest.mark.parametrize("url", [
    "/issues", "/issues?status=all", "/issues?q=secret",
])
def test_private_dataset_issues_are_in_no_list(outsider, private_issue, url):
    assert SECRET not in outsider.get(url).body


def test_private_dataset_issues_are_not_in_the_organization_tab(
        outsider, portal, private_issue):
    page = outsider.get(f"/organization/{portal['org']['name']}/issues").body

    assert SECRET not in page
    assert "0 issues" in page


def test_publisher_sees_private_dataset_issues_everywhere(
        visitor, portal, private_issue):
    visitor.sign_in(portal["editor"])

    assert SECRET in visitor.get(issue_url(private_issue)).body
    dataset = f"/dataset/{private_issue['dataset_name']}"
    assert "1 open issue" in visitor.get(dataset).body
    assert SECRET in visitor.get(dataset + "/issues/latest").body
    assert SECRET in visitor.get("/dashboard/issues").body
    assert SECRET in visitor.get(
        f"/organization/{portal['org']['name']}/issues").body
