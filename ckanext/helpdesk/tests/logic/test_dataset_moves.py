"""A dataset moved to another organization takes its issues along."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_issues_follow_their_dataset_to_its_new_organization(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])

    call_as(world.sysadmin, "package_patch", id=world.public["id"],
            owner_org=world.other_org["id"])

    moved = call_as(world.sysadmin, "helpdesk_issue_show", id=issue["id"])
    assert moved["organization_id"] == world.other_org["id"]
    in_new_queue = call_as(world.outsider, "helpdesk_issue_search",
                           organization_id=world.other_org["id"])
    assert [found["id"] for found in in_new_queue["results"]] == [issue["id"]]
    in_old_queue = call_as(world.admin, "helpdesk_issue_search",
                           organization_id=world.org["id"])
    assert in_old_queue["count"] == 0


def test_data_requests_stay_with_their_organization(world):
    request = factories.Issue(user=world.reporter,
                              organization_id=world.org["id"])

    call_as(world.sysadmin, "package_patch", id=world.public["id"],
            owner_org=world.other_org["id"])

    unchanged = call_as(world.sysadmin, "helpdesk_issue_show",
                        id=request["id"])
    assert unchanged["organization_id"] == world.org["id"]
