"""The description is required, as the report form marks it: by the
action for every caller, and kept when an issue is edited (Open311's requests:
tests/open311/test_description.py)."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.mark.parametrize("description", [None, "", "  \n\t "])
def test_an_issue_without_a_description_is_refused_naming_the_field(
        world, description):
    extra = {} if description is None else {"description": description}
    with pytest.raises(tk.ValidationError) as refused:
        call_as(world.reporter, "helpdesk_issue_create",
                dataset_id=world.public["id"], category="data-problem",
                title="Wrong totals", **extra)

    assert list(refused.value.error_dict) == ["description"]


def test_the_reporter_cannot_empty_the_description_of_their_issue(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            description="The totals in 2021 do not add up.")

    with pytest.raises(tk.ValidationError) as refused:
        call_as(world.reporter, "helpdesk_issue_update", id=issue["id"],
                description=" ")

    assert list(refused.value.error_dict) == ["description"]
    assert call_as(None, "helpdesk_issue_show",
                   id=issue["id"])["description"] == (
        "The totals in 2021 do not add up.")
