"""`ckan helpdesk publish-stats` (a real `ckan` process): the help desk's
public issues and weekly figures become CSV resources of one dataset in
CKAN's file store, created on the first run and updated by the next."""
import csv
import datetime
import io
import urllib.parse

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic.export import COLUMNS
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

DATASET = "helpdesk-performance"  # ckanext.helpdesk.publish.dataset


@pytest.fixture
def help_desk():
    """A city with public and private issues (one closed, one hidden) and
    an organization that publishes the help desk's data."""
    editor, reporter = factories.User(), factories.User()
    city = factories.Organization(users=[{"name": editor["name"],
                                          "capacity": "editor"}])
    public = factories.Dataset(owner_org=city["id"])
    private = factories.Dataset(owner_org=city["id"], private=True)
    factories.Issue(user=reporter, dataset_id=public["id"], title="How often?",
                    category="question")
    fixed = factories.Issue(user=reporter, dataset_id=public["id"],
                            title="Totals wrong")
    call_as(editor, "helpdesk_issue_update", id=fixed["id"], status="resolved",
            comment="Fixed.")
    hidden = factories.Issue(user=reporter, dataset_id=public["id"],
                             title="Spam")
    call_as(editor, "helpdesk_issue_hide", id=hidden["id"])
    factories.Issue(user=editor, dataset_id=private["id"], title="Private gap")
    return {"city": city, "public": public, "reporter": reporter,
            "publisher": factories.Organization()}


def _published():
    model.Session.remove()  # what the command committed, not a cache
    return tk.get_action("package_show")({"ignore_auth": True},
                                         {"id": DATASET})


def _download(app, resource):
    """The resource's file as CKAN's file store serves it."""
    path = urllib.parse.urlsplit(resource["url"]).path
    response = app.get(path)
    assert response.status_code == 200
    return response.data


def _by_export(dataset):
    return {resource["helpdesk_export"]: resource
            for resource in dataset["resources"]}


def test_publish_stats_creates_then_updates_one_dataset_matching_the_export(
        app, ckan_cli, help_desk):
    publisher = help_desk["publisher"]["name"]
    first = ckan_cli("helpdesk", "publish-stats", "--organization", publisher)
    assert first.returncode == 0, first.stderr
    dataset = _published()
    resources = _by_export(dataset)

    assert dataset["owner_org"] == help_desk["publisher"]["id"]
    assert not dataset["private"]
    assert sorted(resources) == ["issues", "weekly"]
    assert all(resource["url_type"] == "upload"
               for resource in resources.values())
    # The data dictionary names every column of both files.
    for column in [*COLUMNS, "opened", "closed", "organization_name"]:
        assert f"| {column} |" in dataset["notes"]
    # Byte for byte what a visitor downloads from /issues.csv.
    issues = _download(app, resources["issues"])
    assert issues == app.get("/issues.csv").data
    assert b"Private gap" not in issues and b"Spam" not in issues
    weekly = list(csv.DictReader(io.StringIO(
        _download(app, resources["weekly"]).decode())))
    today = datetime.datetime.now(datetime.timezone.utc).date()
    monday = (today - datetime.timedelta(days=today.weekday())).isoformat()
    assert weekly == [
        {"week": monday, "organization_name": help_desk["city"]["name"],
         "category": "data-problem", "opened": "1", "closed": "1"},
        {"week": monday, "organization_name": help_desk["city"]["name"],
         "category": "question", "opened": "1", "closed": "0"}]

    factories.Issue(user=help_desk["reporter"],
                    dataset_id=help_desk["public"]["id"],
                    title="Reported between the runs")
    second = ckan_cli("helpdesk", "publish-stats", "--organization",
                      publisher)
    assert second.returncode == 0, second.stderr
    again = _published()

    assert again["id"] == dataset["id"]
    assert {key: resource["id"] for key, resource in
            _by_export(again).items()} == {
        key: resource["id"] for key, resource in resources.items()}
    assert model.Session.query(model.Package).filter(
        model.Package.owner_org == help_desk["publisher"]["id"]).count() == 1
    updated = _download(app, _by_export(again)["issues"])
    assert updated == app.get("/issues.csv").data
    assert b"Reported between the runs" in updated


def test_publish_stats_names_an_unknown_organization(ckan_cli):
    done = ckan_cli("helpdesk", "publish-stats", "--organization", "nowhere")

    assert done.returncode == 1
    assert "No organization 'nowhere'" in done.stderr


def test_publish_stats_leaves_another_organizations_dataset_of_its_name_alone(
        ckan_cli):
    theirs = factories.Dataset(name=DATASET, notes="Bus timetables",
                               owner_org=factories.Organization()["id"])
    ours = factories.Organization()

    done = ckan_cli("helpdesk", "publish-stats", "--organization",
                    ours["name"])

    assert done.returncode == 1
    assert f"dataset: {DATASET} belongs to another organization" in (
        done.stderr)
    dataset = _published()
    assert (dataset["notes"], dataset["owner_org"], dataset["resources"]) == (
        "Bus timetables", theirs["owner_org"], [])
