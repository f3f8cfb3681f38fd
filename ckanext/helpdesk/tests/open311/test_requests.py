"""Open311 over the help desk: reports filed through it are ordinary
issues, changes made on the site show in it, and it shows only what the
caller may see on the pages."""
import datetime

import pytest

import ckan.model as model

from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def file_report(open311_client, desk, **form):
    values = {"api_key": desk["tokens"]["reporter"],
              "service_code": "data-problem",
              "attribute[dataset]": "buses",
              "description": "Stop 7 has the wrong name\nIt is Elm, not Oak."}
    values.update(form)
    [created] = open311_client.post(**values)
    return created


def backdate(issue_id, days):
    issue = model.Session.get(Issue, issue_id)
    issue.created = issue.created - datetime.timedelta(days=days)
    model.Session.commit()


def ids(requests):
    return [request["service_request_id"] for request in requests]


# -- filing -------------------------------------------------------------------

def test_report_filed_through_open311_is_an_issue_of_the_dataset(
        open311_client, desk):
    created = file_report(open311_client, desk,
                          **{"attribute[resource]": desk["resource"]["id"]})
    found = call_as(None, "helpdesk_issue_search", dataset_id="buses")
    [issue] = found["results"]
    assert issue["id"] == created["service_request_id"]
    assert issue["title"] == "Stop 7 has the wrong name"
    assert issue["description"].endswith("It is Elm, not Oak.")
    assert issue["resource_id"] == desk["resource"]["id"]
    assert issue["reporter"] == "reporter"
    assert issue["category"] == "data-problem"


@pytest.mark.usefixtures("clean_redis")  # no jobs left by other tests
def test_report_filed_through_open311_is_on_the_dataset_page_and_mailed(
        app, open311_client, desk, mail, run_jobs):
    file_report(open311_client, desk)
    page = app.get("/dataset/buses/issues").get_data(as_text=True)
    assert "Stop 7 has the wrong name" in page

    run_jobs()
    subjects = {recipients[0]: " ".join(message["Subject"].split())
                for recipients, message in mail.wait_for(2)}
    assert subjects[desk["editor"]["email"]].endswith(
        "New issue #1 on Bus stops: Stop 7 has the wrong name")
    assert "was received" in subjects[desk["reporter"]["email"]]


def test_title_attribute_names_the_issue(open311_client, desk):
    created = file_report(open311_client, desk,
                          **{"attribute[title]": "Renamed stop"})
    issue = call_as(None, "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["title"] == "Renamed stop"


def test_blank_title_attribute_falls_back_to_the_description(
        open311_client, desk):
    created = file_report(open311_client, desk,
                          **{"attribute[title]": " \t "})
    issue = call_as(None, "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["title"] == "Stop 7 has the wrong name"


def test_address_id_can_name_the_dataset(open311_client, desk):
    created = file_report(open311_client, desk, address_id="buses",
                          **{"attribute[dataset]": ""})
    issue = call_as(None, "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["dataset_name"] == "buses"


def test_data_request_goes_to_the_organization(open311_client, desk):
    created = file_report(open311_client, desk, service_code="data-request",
                          **{"attribute[dataset]": "",
                             "attribute[organization]": "city"})
    issue = call_as(None, "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["dataset_id"] is None
    assert issue["organization_name"] == "city"


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_report_when_the_operator_allows_it(open311_client, desk):
    created = file_report(open311_client, desk, api_key="",
                          email="ann@example.org", first_name="Ann",
                          last_name="Lee")
    assert created["account_id"] is None
    issue = call_as("editor", "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["reporter_display_name"] == "Ann Lee"
    assert issue["reporter_email"] == "ann@example.org"


def test_report_on_a_private_dataset_by_an_outsider_is_refused_as_unknown(
        open311_client, desk):
    """The answer is the one for a missing dataset: it tells nothing of
    the private one."""
    on_private, on_missing = (open311_client.post(
        expect=400, api_key=desk["tokens"]["outsider"],
        service_code="data-problem", description="x",
        **{"attribute[dataset]": dataset})
        for dataset in (desk["private"]["name"], "no-such-dataset"))
    assert on_private == on_missing


# -- changes on the site ------------------------------------------------------

def test_status_change_shows_with_its_notes_and_time(open311_client, desk):
    created = file_report(open311_client, desk)
    request_id = created["service_request_id"]
    call_as("editor", "helpdesk_issue_update", id=request_id,
            status="in_progress")
    [request] = open311_client.both(f"requests/{request_id}")
    assert (request["status"], request["service_notice"]) == (
        "open", "In progress")

    closed = call_as("editor", "helpdesk_issue_update", id=request_id,
                     status="resolved", comment="Renamed to Elm in v2.")
    [request] = open311_client.both(f"requests/{request_id}")
    assert request["status"] == "closed"
    assert request["status_notes"] == "Renamed to Elm in v2."
    assert request["service_notice"] == "Resolved"
    resolved_at = datetime.datetime.fromisoformat(closed["resolved_at"])
    assert request["updated_datetime"] == resolved_at.replace(
        microsecond=0).isoformat().replace("+00:00", "Z")


# -- queries ------------------------------------------------------------------

def test_default_window_is_the_last_90_days_newest_first(
        open311_client, desk):
    old = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                          title="Old")
    backdate(old["id"], 91)
    first = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                            title="First")
    second = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                             title="Second")
    assert ids(open311_client.both("requests")) == [second["id"],
                                                    first["id"]]


def test_date_range_selects_by_requested_time(open311_client, desk):
    old = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                          title="Old")
    backdate(old["id"], 100)
    factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                    title="Recent")
    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(days=120)).isoformat()
    end = (now - datetime.timedelta(days=50)).isoformat()
    assert ids(open311_client.both("requests", start_date=start,
                                   end_date=end)) == [old["id"]]
    assert ids(open311_client.both("requests", start_date=start)) == [
        old["id"]]


def test_status_and_service_code_filter(open311_client, desk):
    problem = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    question = factories.Issue(user="reporter",
                               dataset_id=desk["public"]["id"],
                               category="question")
    call_as("editor", "helpdesk_issue_update", id=question["id"],
            status="wont_fix")
    assert ids(open311_client.both("requests", status="open")) == [
        problem["id"]]
    assert ids(open311_client.both("requests", status="closed")) == [
        question["id"]]
    assert ids(open311_client.both("requests", service_code="question")) == [
        question["id"]]
    assert ids(open311_client.both(
        "requests", service_code="question,data-problem")) == [
        question["id"], problem["id"]]


def test_service_request_id_list_overrides_other_filters(
        open311_client, desk):
    old = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    backdate(old["id"], 400)
    new = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    found = open311_client.both(
        "requests", service_request_id=f"{old['id']},no-such,{new['id']}",
        status="closed", service_code="question")
    assert ids(found) == [old["id"], new["id"]]


def test_paging_extension(open311_client, desk):
    issues = [factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                              title=f"Issue {n}") for n in range(5)]
    newest_first = [issue["id"] for issue in reversed(issues)]
    assert ids(open311_client.both("requests", page_size="2")) == (
        newest_first[:2])
    assert ids(open311_client.both("requests", page_size="2",
                                   page="3")) == newest_first[4:]
    assert ids(open311_client.both(
        "requests", page_size="2", page="2",
        service_code="data-problem,question")) == newest_first[2:4]


# -- visibility ---------------------------------------------------------------

@pytest.mark.parametrize("caller", [None, "outsider", "reporter"])
def test_private_dataset_issues_never_show_to_those_who_cannot_see_it(
        open311_client, desk, caller):
    public = factories.Issue(user="editor", dataset_id=desk["public"]["id"])
    private = factories.Issue(user="editor", dataset_id=desk["private"]["id"])
    headers = {"Authorization": desk["tokens"][caller]} if caller else {}
    assert ids(open311_client.both("requests", headers=headers)) == [
        public["id"]]
    assert ids(open311_client.both(
        "requests", headers=headers,
        service_request_id=f"{private['id']},{public['id']}")) == [
        public["id"]]
    open311_client.get(f"requests/{private['id']}", expect=404,
                       headers=headers)
    open311_client.get(f"requests/{private['id']}", "xml", expect=404,
                       headers=headers)


def test_organization_members_see_private_dataset_issues(
        open311_client, desk):
    private = factories.Issue(user="editor", dataset_id=desk["private"]["id"])
    headers = {"Authorization": desk["tokens"]["editor"]}
    assert ids(open311_client.both("requests", headers=headers)) == [
        private["id"]]
    [request] = open311_client.both(f"requests/{private['id']}",
                                    headers=headers)
    assert request["address_id"] == "secret-plans"


def test_invalid_api_key_on_a_read_is_403(open311_client, desk):
    open311_client.get("requests", expect=403,
                       headers={"Authorization": "forged"})


# -- moderation ---------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.helpdesk.open311.moderate_new_requests",
                         "true")
def test_moderated_report_gets_a_token_resolved_once_shown(
        open311_client, desk):
    created = file_report(open311_client, desk)
    assert "service_request_id" not in created
    token = created["token"]
    [pending] = open311_client.both(f"tokens/{token}", kind="token_requests")
    assert pending == {"service_request_id": None, "token": token}
    assert open311_client.both("requests") == []

    [issue] = call_as("editor", "helpdesk_issue_search")["results"]
    assert issue["hidden"]
    call_as("editor", "helpdesk_issue_hide", id=issue["id"], hidden=False)
    [resolved] = open311_client.both(f"tokens/{token}",
                                     kind="token_requests")
    assert resolved == {"service_request_id": issue["id"], "token": token}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_forged_token_is_404(open311_client, desk, fmt):
    open311_client.get("tokens/abc.def", fmt, expect=404)
    open311_client.get("tokens/" + "x" * 40, fmt, expect=404)
