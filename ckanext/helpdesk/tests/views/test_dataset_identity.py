"""Datasets are named by id or name, and may be purged.

A dataset *named* like another dataset's id made the lookups by id or
name find two rows (500 on that dataset's help desk pages and searches):
the id wins, as in CKAN's Package.get. A purged dataset leaves its issues
behind ("dataset removed"): they stay visible to the organization's
editors, admins and sysadmins only, with a page of their own, and every
list, page, feed and Open311 answer copes with them."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import make_user

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def namesake(portal):
    """Another organization's dataset whose name is the portal dataset's
    id, with an issue of its own."""
    other_org = factories.Organization()
    impostor = factories.Dataset(owner_org=other_org["id"],
                                 name=portal["dataset"]["id"])
    factories.Issue(user=portal["reporter"], dataset_id=impostor["id"],
                    title="About the namesake")
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    title="About the original")
    return {"dataset": portal["dataset"], "other_org": other_org,
            "impostor": impostor}


def test_pages_of_a_dataset_whose_id_is_another_datasets_name_answer(
        visitor, namesake):
    dataset_id = namesake["dataset"]["id"]

    listing = visitor.get(f"/dataset/{dataset_id}/issues")
    assert listing.status_code == 200
    assert "About the original" in listing.body
    assert "About the namesake" not in listing.body

    page = visitor.get(f"/dataset/{dataset_id}/issues/1")
    assert page.status_code == 200
    assert "About the original" in page.body
    assert visitor.get(f"/dataset/{dataset_id}/issues.atom").status_code \
        == 200


def test_actions_take_the_id_before_the_name(app, namesake):
    dataset_id = namesake["dataset"]["id"]

    found = app.post("/api/3/action/helpdesk_issue_search",
                     json={"dataset_id": dataset_id}).json["result"]
    shown = app.post("/api/3/action/helpdesk_issue_show",
                     json={"dataset_id": dataset_id, "number": 1}).json

    assert [i["title"] for i in found["results"]] == ["About the original"]
    assert shown["result"]["title"] == "About the original"


def test_an_organization_named_like_another_ones_id_is_told_apart(
        app, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    namesake_org = factories.Organization(name=portal["org"]["id"])
    theirs = factories.Dataset(owner_org=namesake_org["id"])
    factories.Issue(user=portal["reporter"], dataset_id=theirs["id"],
                    title="Theirs")

    found = app.post("/api/3/action/helpdesk_issue_search", json={
        "organization_id": portal["org"]["id"]}).json["result"]

    assert [i["title"] for i in found["results"]] == ["Ours"]


# -- purged datasets ------------------------------------------------------------

@pytest.fixture
def purged(portal):
    """An issue (with a comment) whose dataset was purged; a member of
    the organization (who does not manage it)."""
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"],
                            title="Orphaned report")
    call_as(portal["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="Looking into it")
    member = make_user()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": portal["org"]["id"],
                                "username": member["name"],
                                "role": "member"})
    sysadmin = factories.Sysadmin()
    call_as(sysadmin, "dataset_purge", id=portal["dataset"]["id"])
    return dict(portal, issue=issue, member=member, sysadmin=sysadmin)


LISTS = ["/dashboard/issues", "/issues?sort=updated", "/issues",
         "/organization/{org}/issues?sort=updated", "/issues.atom"]


@pytest.mark.parametrize("url", LISTS)
def test_lists_show_an_orphaned_issue_to_the_organizations_editors(
        visitor, purged, url):
    visitor.sign_in(purged["editor"])

    response = visitor.get(url.format(org=purged["org"]["name"]))

    assert response.status_code == 200
    assert "Orphaned report" in response.body
    assert f"/helpdesk/issues/{purged['issue']['id']}" in response.body


@pytest.mark.parametrize("url", LISTS)
def test_lists_hide_an_orphaned_issue_from_members_and_visitors(
        make_visitor, purged, url):
    member = make_visitor().sign_in(purged["member"])
    for visitor in (member, make_visitor()):
        response = visitor.get(url.format(org=purged["org"]["name"]),
                               follow_redirects=True)
        assert response.status_code == 200
        assert "Orphaned report" not in response.body


def test_the_orphaned_issue_has_a_page_of_its_own_for_its_managers(
        make_visitor, purged):
    url = f"/helpdesk/issues/{purged['issue']['id']}"
    editor = make_visitor().sign_in(purged["editor"])

    page = editor.get(url)
    assert page.status_code == 200
    assert "Orphaned report" in page.body
    assert "a dataset that was removed" in page.body
    assert "Looking into it" in page.body

    answer = editor.post(url + "/comment", {"body": "Closing"},
                         follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(url + "#comments")

    member = make_visitor().sign_in(purged["member"])
    assert member.get(url).status_code == 404


def test_open311_answers_orphaned_issues_to_their_managers(app, purged):
    token = factories.APIToken(user=purged["editor"]["name"])["token"]
    client = app.test_client()
    issue_id = purged["issue"]["id"]

    listed = client.get("/open311/v2/requests.json?extensions=true",
                        headers={"Authorization": token})
    shown = client.get(f"/open311/v2/requests/{issue_id}.json",
                       headers={"Authorization": token})
    by_id = client.get(f"/open311/v2/requests.xml?service_request_id="
                       f"{issue_id}", headers={"Authorization": token})

    assert listed.status_code == shown.status_code == by_id.status_code \
        == 200
    assert [r["service_request_id"] for r in listed.json] == [issue_id]
    assert listed.json[0]["extended_attributes"]["url"].endswith(
        f"/helpdesk/issues/{issue_id}")
    assert shown.json[0]["address_id"] is None
    assert issue_id.encode() in by_id.data
    anonymous = client.get(f"/open311/v2/requests/{issue_id}.json")
    assert anonymous.status_code == 404
