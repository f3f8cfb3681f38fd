"""The issue lists past ckanext.helpdesk.search_count_cap: "25+ issues",
and a pager that still reaches the later pages (20 issues a page)."""
import pytest

from ckanext.helpdesk.tests import factories

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckanext.helpdesk.search_count_cap", 25)]


@pytest.fixture
def lists(portal):
    for number in range(50):
        factories.Issue(user=portal["reporter"],
                        dataset_id=portal["dataset"]["id"],
                        title=f"Listed {number}")
    dataset, org = portal["dataset"]["name"], portal["org"]["name"]
    return ["/issues", f"/dataset/{dataset}/issues",
            f"/organization/{org}/issues"]


def test_a_list_with_more_issues_than_the_cap_says_how_many_at_least(
        visitor, lists):
    for url in lists:
        body = visitor.get(url).body
        assert "25+ issues" in body, url
        assert "50 issues" not in body, url
        assert "page=2" in body, url


def test_the_pager_leads_past_the_cap_to_the_last_page(visitor, lists):
    for url in lists:
        second = visitor.get(url, query_string={"page": 2}).body
        assert "45+ issues" in second, url
        assert "page=3" in second, url
        last = visitor.get(url, query_string={"page": 3}).body
        assert "50 issues" in last, url
        assert "Listed 0" in last, url
