"""The publisher's queue (/dashboard/issues), the organization's Issues
tab, the portal-wide /issues, and the bulk status change."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def other_dataset():
    """A dataset of an organization the portal's editor does not edit."""
    return factories.Dataset(owner_org=factories.Organization()["id"])


def test_dashboard_lists_the_issues_of_the_organizations_the_user_edits(
        visitor, portal, other_dataset):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other_dataset["id"],
                    title="Theirs")
    visitor.sign_in(portal["editor"])

    page = visitor.get("/dashboard/issues").body

    assert "Ours" in page
    assert "Theirs" not in page


def test_dashboard_lists_the_issues_of_every_organization_the_user_edits(
        visitor, portal, other_dataset):
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": other_dataset["owner_org"],
                                "username": portal["editor"]["name"],
                                "role": "editor"})
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other_dataset["id"],
                    title="Also ours")
    visitor.sign_in(portal["editor"])

    page = visitor.get("/dashboard/issues").body

    assert "Ours" in page and "Also ours" in page


def test_dashboard_asks_visitors_to_sign_in(visitor):
    response = visitor.get("/dashboard/issues", follow_redirects=True)

    assert 'id="field-login"' in response.body


@pytest.mark.parametrize("assignee, shown, not_shown", [
    ("none", "Nobody on it", "Mine"),
    ("me", "Mine", "Nobody on it"),
])
def test_dashboard_filters_by_assignee(visitor, portal, assignee, shown,
                                       not_shown):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Nobody on it")
    mine = factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"], title="Mine")
    call_as(portal["editor"], "helpdesk_issue_update", id=mine["id"],
            assignee=portal["editor"]["name"])
    visitor.sign_in(portal["editor"])

    page = visitor.get(f"/dashboard/issues?assignee={assignee}").body

    assert shown in page and not_shown not in page


def test_bulk_status_change(visitor, portal):
    issues = [factories.Issue(user=portal["reporter"],
                              dataset_id=portal["dataset"]["id"],
                              title=f"Issue {n}") for n in range(3)]
    visitor.sign_in(portal["editor"])

    response = visitor.post("/helpdesk/issues/bulk", {
        "issue_id": [issues[0]["id"], issues[1]["id"]],
        "status": "acknowledged", "came_from": "/dashboard/issues"},
        follow_redirects=True)

    assert "2 issues changed to Acknowledged" in response.body
    acknowledged = visitor.get(
        "/dashboard/issues?status=acknowledged").body
    assert "Issue 0" in acknowledged and "Issue 1" in acknowledged
    assert "Issue 2" not in acknowledged


def test_bulk_change_by_an_outsider_changes_nothing(visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(make_user())

    response = visitor.post("/helpdesk/issues/bulk", {
        "issue_id": [issue["id"]], "status": "resolved"},
        follow_redirects=True)

    assert "1 issue could not be changed." in response.body


def test_organization_issues_tab(visitor, portal, other_dataset):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other_dataset["id"],
                    title="Theirs")
    org = portal["org"]

    org_page = visitor.get(f"/organization/{org['name']}").body
    tab = visitor.get(f"/organization/{org['name']}/issues").body

    assert f"/organization/{org['name']}/issues" in org_page
    assert "Ours" in tab and "Theirs" not in tab
    assert "Set the status of the selected" not in tab  # visitors only read


def test_portal_wide_issue_list(visitor, portal, other_dataset):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other_dataset["id"],
                    title="Theirs")

    page = visitor.get("/issues?sort=newest").body

    assert "Ours" in page and "Theirs" in page


def test_dashboard_has_an_issues_tab(visitor, portal):
    visitor.sign_in(portal["editor"])

    assert "/dashboard/issues" in visitor.get("/dashboard/datasets").body


def test_sysadmin_dashboard_lists_every_organization(make_visitor, portal,
                                                     other_dataset):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other_dataset["id"],
                    title="Theirs")
    sysadmin = make_visitor().sign_in(factories.Sysadmin(password=PASSWORD))

    page = sysadmin.get("/dashboard/issues").body

    assert "Ours" in page and "Theirs" in page
