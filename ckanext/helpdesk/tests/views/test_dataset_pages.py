"""The dataset page's Help Desk and the dataset's issue list."""
import re

import pytest

from ckanext.helpdesk.helpers import helpdesk_htmx_available
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _open_count(page):
    marker = 'helpdesk-open-count">'
    start = page.index(marker) + len(marker)
    return int(page[start:page.index("<", start)])


def test_dataset_without_issues_invites_the_first_report(visitor, portal):
    page = visitor.get(f"/dataset/{portal['dataset']['name']}").body

    assert "Help Desk" in page
    assert _open_count(page) == 0
    assert "No one has reported an issue" in page
    assert f"/dataset/{portal['dataset']['name']}/issues/new" in page


def test_dataset_page_shows_open_count_and_latest_open_issues(
        visitor, portal):
    reporter, dataset = portal["reporter"], portal["dataset"]
    for title in ("First", "Second", "Third", "Fourth"):
        factories.Issue(user=reporter, dataset_id=dataset["id"],
                        title=f"{title} problem")
    closed = factories.Issue(user=reporter, dataset_id=dataset["id"],
                             title="Closed problem")
    call_as(portal["editor"], "helpdesk_issue_update", id=closed["id"],
            status="resolved")

    page = visitor.get(f"/dataset/{dataset['name']}").body
    latest = visitor.get(f"/dataset/{dataset['name']}/issues/latest").body

    assert _open_count(page) == 4
    assert "See all 5 issues" in page
    if helpdesk_htmx_available():  # the page fetches the list with htmx
        assert "See the 4 open issues" in page  # until the list is fetched
        assert f"/dataset/{dataset['name']}/issues/latest" in page
    else:  # CKAN 2.10: the page renders the same list itself
        assert _latest_list(page) == _latest_list(latest)
    assert "4 open issues" in latest
    assert "Fourth problem" in latest and "Second problem" in latest
    assert "First problem" not in latest  # only the latest three
    assert "Closed problem" not in latest


def _latest_list(html):
    """The latest issues' table, without the "2 seconds ago" of its <time>
    elements (two requests may fall in different seconds; the datetime
    attributes stay)."""
    start = html.index('class="table table-hover helpdesk-issue-list')
    table = html[start:html.index("</table>", start)]
    return re.sub(r"(<time [^>]*>).*?(</time>)", r"\1\2", table, flags=re.S)


def test_issue_list_shows_open_issues_first_with_their_details(
        visitor, portal):
    dataset = portal["dataset"]
    factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                    title="Missing column", category="improvement")
    closed = factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                             title="Old typo")
    call_as(portal["editor"], "helpdesk_issue_update", id=closed["id"],
            status="wont_fix")

    page = visitor.get(f"/dataset/{dataset['name']}/issues").body

    assert "Missing column" in page and "Improvement" in page
    assert "Old typo" not in page
    everything = visitor.get(
        f"/dataset/{dataset['name']}/issues?status=all").body
    assert "Old typo" in everything and "Won&#39;t fix" in everything


@pytest.mark.parametrize("query, shown, not_shown", [
    ("category=question", "How often", "Broken link"),
    ("q=broken", "Broken link", "How often"),
    ("status=closed", "Fixed already", "Broken link"),
])
def test_issue_list_filters(visitor, portal, query, shown, not_shown):
    dataset, reporter = portal["dataset"], portal["reporter"]
    factories.Issue(user=reporter, dataset_id=dataset["id"],
                    title="Broken link")
    factories.Issue(user=reporter, dataset_id=dataset["id"],
                    title="How often is it updated?", category="question")
    fixed = factories.Issue(user=reporter, dataset_id=dataset["id"],
                            title="Fixed already")
    call_as(portal["editor"], "helpdesk_issue_update", id=fixed["id"],
            status="resolved")

    page = visitor.get(f"/dataset/{dataset['name']}/issues?{query}").body

    assert shown in page
    assert not_shown not in page


def test_issue_list_paginates(visitor, portal):
    for number in range(1, 23):
        factories.Issue(user=portal["reporter"],
                        dataset_id=portal["dataset"]["id"],
                        title=f"Problem number {number:02d}")
    url = f"/dataset/{portal['dataset']['name']}/issues?sort=oldest"

    first, second = visitor.get(url).body, visitor.get(url + "&page=2").body

    assert "Problem number 01" in first and "Problem number 20" in first
    assert "Problem number 21" not in first
    assert "Problem number 21" in second and "Problem number 01" not in second
    assert "sort=oldest" in first[first.index("pagination"):]


def test_visitors_cached_dataset_page_drops_an_issue_hidden_meanwhile(
        visitor, portal):
    """Anonymous visitors share counts and latest issues cached in Redis
    for a minute; hiding (or reporting) an issue drops them at once."""
    dataset = portal["dataset"]
    spam = factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                           title="Buy cheap pills")
    latest_url = f"/dataset/{dataset['name']}/issues/latest"
    assert "Buy cheap pills" in visitor.get(latest_url).body
    assert _open_count(visitor.get(f"/dataset/{dataset['name']}").body) == 1

    call_as(portal["editor"], "helpdesk_issue_hide", id=spam["id"])
    factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                    title="Column 3 is empty")

    latest = visitor.get(latest_url).body
    assert "Buy cheap pills" not in latest
    assert "Column 3 is empty" in latest
    assert _open_count(visitor.get(f"/dataset/{dataset['name']}").body) == 1


def test_visitors_cached_dataset_page_drops_an_issue_deleted_meanwhile(
        visitor, portal):
    dataset = portal["dataset"]
    spam = factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                           title="Buy cheap pills")
    assert _open_count(visitor.get(f"/dataset/{dataset['name']}").body) == 1

    sysadmin = factories.Sysadmin()
    call_as(sysadmin, "helpdesk_issue_delete", id=spam["id"])

    assert _open_count(visitor.get(f"/dataset/{dataset['name']}").body) == 0
    latest = visitor.get(f"/dataset/{dataset['name']}/issues/latest").body
    assert "Buy cheap pills" not in latest

