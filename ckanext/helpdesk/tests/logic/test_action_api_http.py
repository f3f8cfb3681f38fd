"""The actions called over HTTP through CKAN's Action API, the way
third-party apps call them: there CKAN hands the actions flask-login's
current_user, which for a visitor is an AnonymousUser, not None."""
import pytest

from ckanext.helpdesk.logic import ACTIONS
from ckanext.helpdesk.notify.actions import __all__ as NOTIFY_ACTIONS
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def api(app, action, user=None, status=200, **data):
    headers = {}
    if user:
        headers["Authorization"] = factories.APIToken(
            user=user["name"])["token"]
    response = app.post(f"/api/3/action/{action}", json=data,
                        headers=headers, status=status)
    return response.json


@pytest.fixture
def issues(world):
    return {"public": factories.Issue(user=world.reporter,
                                      dataset_id=world.public["id"],
                                      title="Public problem"),
            "private": factories.Issue(user=world.editor,
                                       dataset_id=world.private["id"],
                                       title="Private problem")}


def test_a_visitor_reads_the_public_issues_only(app, world, issues):
    found = api(app, "helpdesk_issue_search")["result"]
    assert [i["title"] for i in found["results"]] == ["Public problem"]
    assert found["count"] == 1

    counts = api(app, "helpdesk_issue_counts",
                 dataset_ids=[world.public["id"], world.private["id"]])
    assert counts["result"] == {world.public["id"]: {"open": 1, "total": 1},
                                world.private["id"]: {"open": 0, "total": 0}}

    shown = api(app, "helpdesk_issue_show", id=issues["public"]["id"])
    assert shown["result"]["title"] == "Public problem"
    assert "reporter_email" not in shown["result"]
    assert api(app, "helpdesk_comment_list",
               issue_id=issues["public"]["id"])["result"] == []
    refused = api(app, "helpdesk_issue_show", status=404,
                  id=issues["private"]["id"])
    assert refused["error"]["__type"] == "Not Found Error"


def test_a_publisher_reads_the_private_issues_too(app, world, issues):
    found = api(app, "helpdesk_issue_search", user=world.editor)["result"]
    assert {i["title"] for i in found["results"]} == {
        "Public problem", "Private problem"}


VISITOR_READS = {"helpdesk_category_list", "helpdesk_issue_show",
                 "helpdesk_issue_search", "helpdesk_issue_counts",
                 "helpdesk_comment_list", "helpdesk_event_list",
                 "helpdesk_response_time",
                 "helpdesk_organization_settings_show", "helpdesk_stats"}


@pytest.mark.parametrize("action", ACTIONS + NOTIFY_ACTIONS)
def test_a_visitor_reads_and_is_refused_the_rest(app, world, issues,
                                                 action):
    """Every action, called with the ids of the public issue and of its
    comment, by a visitor on a portal where anonymous reporting is off."""
    issue_id = issues["public"]["id"]
    comment = call_as(world.reporter, "helpdesk_comment_create",
                      issue_id=issue_id, body="Still wrong.")
    answer = app.post(f"/api/3/action/{action}", json={
        "id": comment["id"] if action.startswith("helpdesk_comment_")
        else issue_id, "issue_id": issue_id,
        "organization_id": world.org["id"],
        "dataset_ids": [world.public["id"]], "title": "Changed"}).json
    if action in VISITOR_READS:
        assert answer["success"] is True
    else:
        assert answer["error"]["__type"] == "Authorization Error"


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_a_visitor_reports_where_the_operator_allows_it(app, world):
    created = api(app, "helpdesk_issue_create",
                  dataset_id=world.public["id"], category="question",
                  title="Which year?", description="The year is missing.",
                  reporter_name="Ada", reporter_email="ada@example.org")
    issue = created["result"]
    assert issue["reporter"] is None
    assert issue["reporter_display_name"] == "Ada"

    missing_name = api(app, "helpdesk_issue_create", status=409,
                       dataset_id=world.public["id"], category="question",
                       title="Which year?", description="Still missing.")
    assert "reporter_name" in missing_name["error"]


def test_a_visitor_cannot_report_by_default(app, world):
    refused = api(app, "helpdesk_issue_create", status=403,
                  dataset_id=world.public["id"], category="question",
                  title="Which year?", description="The year is missing.",
                  reporter_name="Ada", reporter_email="ada@example.org")
    assert refused["error"]["__type"] == "Authorization Error"
