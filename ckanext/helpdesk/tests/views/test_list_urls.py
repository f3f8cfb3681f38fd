"""The issue lists and feeds take their filters from the URL: a bad value
answers 400 naming the filter, never a server error."""
import pytest

from ckanext.helpdesk.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SCRIPT = '"><script>alert(1)</script>'


@pytest.fixture
def lists(portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Listed")
    dataset, org = portal["dataset"]["name"], portal["org"]["name"]
    return ["/issues", f"/dataset/{dataset}/issues",
            f"/organization/{org}/issues", "/issues.atom",
            f"/dataset/{dataset}/issues.atom"]


@pytest.mark.parametrize("field, value", [
    ("status", SCRIPT), ("status", "null"), ("category", SCRIPT),
    ("category", "complaint"), ("q", "x" * 501)])
def test_a_bad_filter_is_a_400_naming_it(visitor, lists, field, value):
    for url in lists:
        response = visitor.get(url, query_string={field: value}, status=400)
        assert f"{field}:" in response.body, url
        assert "<script>alert(1)" not in response.body, url


def test_a_page_past_the_end_is_empty(visitor, lists):
    for url in lists[:3]:
        response = visitor.get(url, query_string={
            "page": "99999999999999999999"})
        assert "Listed" not in response.body, url
