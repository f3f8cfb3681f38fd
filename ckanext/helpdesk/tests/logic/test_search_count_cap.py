"""A search counts its matches up to ckanext.helpdesk.search_count_cap
past the offset: beyond, the count is flagged as capped (and the facets,
which would need every match, are left out)."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = [pytest.mark.usefixtures("with_plugins"),
              pytest.mark.ckan_config("ckanext.helpdesk.search_count_cap", 3)]


@pytest.fixture
def five_issues(world):
    return [factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title=f"Issue {n}")
            for n in range(5)]


def test_a_search_with_more_matches_than_the_cap_answers_the_cap_flagged(
        world, five_issues):
    found = call_as(None, "helpdesk_issue_search")

    assert found["count"] == 3
    assert found["count_capped"] is True
    assert "facets" not in found
    assert len(found["results"]) == 5


def test_a_search_within_the_cap_counts_exactly_with_facets(world):
    for n in range(3):
        factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                        title=f"Issue {n}")

    found = call_as(None, "helpdesk_issue_search")

    assert found["count"] == 3
    assert found["count_capped"] is False
    assert found["facets"]["status"] == {"new": 3}


def test_the_cap_counts_from_the_offset_so_later_pages_count_further(
        world, five_issues):
    second_page = call_as(None, "helpdesk_issue_search", offset=1, limit=1)
    last_page = call_as(None, "helpdesk_issue_search", offset=2, limit=1)

    assert (second_page["count"], second_page["count_capped"]) == (4, True)
    assert (last_page["count"], last_page["count_capped"]) == (5, False)


def test_the_cap_counts_only_what_the_caller_may_see(world, five_issues):
    for n in range(4):
        factories.Issue(user=world.member, dataset_id=world.private["id"],
                        title=f"Private {n}")

    found = call_as(None, "helpdesk_issue_search", offset=2)

    assert (found["count"], found["count_capped"]) == (5, False)
