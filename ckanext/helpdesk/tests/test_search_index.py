"""Datasets are found, filtered and sorted by their open issue count in the
real Solr of the suite, kept current by the background job that a real RQ
worker runs when issues are reported, closed, hidden, shown or deleted."""
import re
import types

import pytest
import requests

import ckan.lib.jobs as jobs
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.conftest import ckan_server
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "clean_redis")

WITH_OPEN_ISSUES = "helpdesk_open_issues:[1 TO *]"
MOST_OPEN_ISSUES = "helpdesk_open_issues desc"
SOLR_DOWN = "http://127.0.0.1:9/solr/ckan"  # a closed port


@pytest.fixture
def desk():
    """Datasets with ten, two and no open issues, a private one with one,
    and who reads them (nothing indexed by a job yet)."""
    editor, member, reporter = (factories.User() for _ in range(3))
    org = factories.Organization(users=[
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"}])
    desk = types.SimpleNamespace(
        editor=editor, member=member, reporter=reporter, org=org,
        sysadmin=factories.Sysadmin(), issues={})
    for name, count in (("ten-open", 10), ("two-open", 2),
                        ("none-open", 0)):
        dataset = factories.Dataset(name=name, owner_org=org["id"])
        desk.issues[name] = [
            factories.Issue(user=reporter, dataset_id=dataset["id"])
            for _ in range(count)]
    secret = factories.Dataset(name="secret-open", owner_org=org["id"],
                               private=True)
    desk.issues["secret-open"] = [factories.Issue(
        user=editor, dataset_id=secret["id"], title="Private rows",
        description="Rows of the private table are missing.")]
    return desk


def found(fq=None, user=None, **params):
    """The names of the datasets package_search finds, in its order."""
    if fq:
        params["fq"] = fq
    results = call_as(user, "package_search", rows=100, **params)["results"]
    return [dataset["name"] for dataset in results]


def reindex_jobs():
    """The datasets of the reindex jobs waiting in the queue."""
    return [job.args[0] for job in jobs.get_queue().jobs
            if job.func_name.endswith("search_index.reindex_dataset")]


def test_reported_issues_reach_the_index_through_one_job_per_dataset(
        desk, run_jobs):
    # Thirteen reports on three datasets queue three jobs, and nothing is
    # indexed before a worker runs them.
    assert len(reindex_jobs()) == 3
    assert found(WITH_OPEN_ISSUES, desk.sysadmin,
                 include_private=True) == []

    run_jobs()

    assert sorted(found(WITH_OPEN_ISSUES, desk.sysadmin,
                        include_private=True)) == [
        "secret-open", "ten-open", "two-open"]


def test_package_search_filters_and_sorts_by_the_count_as_a_number(
        desk, run_jobs, app):
    run_jobs()

    assert found(sort=MOST_OPEN_ISSUES) == [
        "ten-open", "two-open", "none-open"]
    assert found("helpdesk_open_issues:[3 TO *]") == ["ten-open"]
    assert found("helpdesk_open_issues:[0 TO 9]",
                 sort="name asc") == ["none-open", "two-open"]
    assert found("helpdesk_open_issues:2") == ["two-open"]
    assert found(q="helpdesk_open_issues:10") == ["ten-open"]
    assert found(fq_list=["helpdesk_open_issues:{2 TO *]"]) == ["ten-open"]
    # The same through the Action API over HTTP, as the README shows it.
    answer = app.get("/api/3/action/package_search", query_string={
        "fq": WITH_OPEN_ISSUES, "sort": MOST_OPEN_ISSUES}).json["result"]
    assert [dataset["name"] for dataset in answer["results"]] == [
        "ten-open", "two-open"]


def test_closing_hiding_showing_and_deleting_issues_update_the_index(
        desk, run_jobs):
    run_jobs()
    first, second = desk.issues["two-open"]
    call_as(desk.editor, "helpdesk_issue_update", id=first["id"],
            status="resolved")
    # Moving between open statuses changes no count: no job.
    call_as(desk.editor, "helpdesk_issue_update",
            id=desk.issues["ten-open"][0]["id"], status="in_progress")
    assert reindex_jobs() == [first["dataset_id"]]
    run_jobs()
    assert found("helpdesk_open_issues:1") == ["two-open"]

    call_as(desk.editor, "helpdesk_issue_hide", id=second["id"])
    call_as(desk.sysadmin, "helpdesk_issue_delete",
            id=desk.issues["ten-open"][1]["id"])
    run_jobs()
    assert found(WITH_OPEN_ISSUES) == ["ten-open"]
    assert found("helpdesk_open_issues:9") == ["ten-open"]
    assert sorted(found("helpdesk_open_issues:0")) == [
        "none-open", "two-open"]

    call_as(desk.editor, "helpdesk_issue_hide", id=second["id"], hidden=False)
    run_jobs()
    assert found("helpdesk_open_issues:1") == ["two-open"]


def test_a_dataset_moved_to_another_organization_keeps_its_count(
        desk, run_jobs):
    run_jobs()
    other = factories.Organization()

    # CKAN reindexes the dataset itself, in the request; no job is needed.
    call_as(desk.sysadmin, "package_patch", id="ten-open",
            owner_org=other["id"], title="Stations (moved)")

    assert reindex_jobs() == []
    assert found("helpdesk_open_issues:10") == ["ten-open"]
    assert found(WITH_OPEN_ISSUES, q="moved") == ["ten-open"]


def test_private_datasets_are_found_by_their_count_only_by_their_readers(
        desk, run_jobs):
    run_jobs()

    for user in (None, desk.reporter):
        assert "secret-open" not in found(WITH_OPEN_ISSUES, user,
                                          include_private=True)
        facets = call_as(
            user, "package_search", include_private=True,
            **{"facet.field": '["helpdesk_has_open_issues"]'})["facets"]
        assert facets["helpdesk_has_open_issues"] == {"true": 2}
    assert "secret-open" in found(WITH_OPEN_ISSUES, desk.member,
                                  include_private=True)


def test_dataset_search_page_has_the_help_desk_facet_and_sort(
        desk, run_jobs, app):
    run_jobs()

    page = app.get("/dataset/").body
    assert "Help desk" in page
    facet_link = re.search(
        r'href="([^"]*helpdesk_has_open_issues=true[^"]*)"[^>]*>(.*?)</a>',
        page, re.S)
    assert "Datasets with open issues" in facet_link.group(2)
    assert re.search(r">\s*2\s*<", facet_link.group(2))

    filtered = app.get("/dataset/",
                       query_string={"helpdesk_has_open_issues": "true"})
    names = re.findall(r'href="/dataset/([\w-]+)"', filtered.body)
    assert set(names) == {"ten-open", "two-open"}

    sort = "helpdesk_open_issues desc, metadata_modified desc"
    sorted_page = app.get("/dataset/", query_string={"sort": sort}).body
    assert re.search(r'<option value="' + sort +
                     r'" selected="selected">Most open issues</option>',
                     sorted_page)
    order = [name for name in re.findall(r'href="/dataset/([\w-]+)"',
                                         sorted_page)
             if name.endswith("-open")]
    assert list(dict.fromkeys(order)) == [
        "ten-open", "two-open", "none-open"]


def test_solr_down_fails_the_job_not_the_report_and_the_next_change_catches_up(
        desk, run_jobs):
    dataset = factories.Dataset(owner_org=desk.org["id"])
    token = factories.APIToken(user=desk.reporter["name"])["token"]
    # A real CKAN server whose Solr is a closed port takes the report.
    with ckan_server(CKAN_SOLR_URL=SOLR_DOWN) as url:
        answer = requests.post(
            url + "/api/3/action/helpdesk_issue_create",
            headers={"Authorization": token}, timeout=60, json={
                "dataset_id": dataset["id"], "category": "data-problem",
                "title": "Stations missing",
                "description": "Two stations are missing."})
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["dataset_id"] == dataset["id"]

    down = run_jobs(environment={"CKAN_SOLR_URL": SOLR_DOWN})
    assert f"dataset {dataset['name']} not indexed" in down.stderr
    assert dataset["name"] not in found(WITH_OPEN_ISSUES)

    # The job of the next change indexes both reports (the other
    # datasets' jobs failed with it and wait for their next change).
    factories.Issue(user=desk.reporter, dataset_id=dataset["id"])
    run_jobs()
    assert found("helpdesk_open_issues:2") == [dataset["name"]]
