"""A dataset moved to another organization takes its issues along."""
import pytest

from ckanext.helpdesk.tests.logic.conftest import call, report

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_issues_follow_their_dataset_to_its_new_organization(world):
    issue = report(world, world.public)

    call("package_patch", world.sysadmin, id=world.public["id"],
         owner_org=world.other_org["id"])

    moved = call("helpdesk_issue_show", world.sysadmin, id=issue["id"])
    assert moved["organization_id"] == world.other_org["id"]
    in_new_queue = call("helpdesk_issue_search", world.outsider,
                        organization_id=world.other_org["id"])
    assert [found["id"] for found in in_new_queue["results"]] == [issue["id"]]
    in_old_queue = call("helpdesk_issue_search", world.admin,
                        organization_id=world.org["id"])
    assert in_old_queue["count"] == 0


def test_data_requests_stay_with_their_organization(world):
    request = report(world)

    call("package_patch", world.sysadmin, id=world.public["id"],
         owner_org=world.other_org["id"])

    unchanged = call("helpdesk_issue_show", world.sysadmin, id=request["id"])
    assert unchanged["organization_id"] == world.org["id"]
