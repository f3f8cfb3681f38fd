"""FixMyStreet's service request updates extension (servicerequestupdates):
GET lists the public replies and status changes, POST turns another
system's update into a public reply (and a status change), once per
update_id; every answer in both formats against the extension's shapes,
every error in the spec's error body."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

FORMATS = ["json", "xml"]
PATH = "servicerequestupdates"
UPDATE_FIELDS = ["update_id", "service_request_id", "status",
                 "updated_datetime", "description", "media_url",
                 "external_status_code"]

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def listed(client, **params):
    """The updates GET answers, after checking the XML carries the same
    as the JSON."""
    return client.both(PATH, kind="request_updates", **params)


def post_update(client, desk, user="editor", fmt="json", expect=200,
                **fields):
    form = {"api_key": desk["tokens"][user], "update_id": "fms-1",
            "status": "OPEN", "description": "Checked on site.",
            "updated_datetime": "2026-12-01T10:00:00+01:00"}
    form.update(fields)
    kind = "created_updates" if expect == 200 else "errors"
    return client.post(fmt, expect, path=PATH, kind=kind,
                       **{key: value for key, value in form.items()
                          if value is not None})


def only_error(data, code):
    assert [str(error["code"]) for error in data] == [str(code)]
    return data[0]["description"]


# -- GET ----------------------------------------------------------------------

def test_a_publishers_reply_is_listed_as_an_update_in_both_formats(
        open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    reply = call_as("editor", "helpdesk_comment_create", issue_id=issue["id"],
                    body="We are looking into it.")
    [update] = listed(open311_client)
    assert list(update) == UPDATE_FIELDS
    assert update["update_id"] == reply["id"]
    assert update["service_request_id"] == issue["id"]
    assert (update["status"], update["external_status_code"]) == (
        "OPEN", "new")
    assert update["description"] == "We are looking into it."
    assert update["media_url"] is None
    assert update["updated_datetime"].endswith("Z")


def test_a_status_change_with_its_reply_is_one_update_with_the_new_status(
        open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    call_as("editor", "helpdesk_issue_update", id=issue["id"],
            status="in_progress")
    call_as("editor", "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Moved stop 12 out of the river.")
    updates = listed(open311_client)
    assert [(u["status"], u["external_status_code"], u["description"])
            for u in updates] == [
        ("IN_PROGRESS", "in_progress", None),
        ("FIXED", "resolved", "Moved stop 12 out of the river.")]
    comments = call_as(None, "helpdesk_comment_list", issue_id=issue["id"])
    assert updates[1]["update_id"] == comments[-1]["id"]


def test_a_reply_after_a_change_carries_the_status_it_was_made_under(
        open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    call_as("reporter", "helpdesk_comment_create", issue_id=issue["id"],
            body="Any news?")
    call_as("editor", "helpdesk_issue_update", id=issue["id"],
            status="wont_fix")
    call_as("reporter", "helpdesk_comment_create", issue_id=issue["id"],
            body="Why not?")
    assert [u["status"] for u in listed(open311_client)] == [
        "OPEN", "NO_FURTHER_ACTION", "NO_FURTHER_ACTION"]


def test_private_hidden_internal_and_held_content_is_never_listed(
        open311_client, desk):
    public = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    call_as("editor", "helpdesk_comment_create", issue_id=public["id"],
            body="Internal: ask the GIS team.", internal=True)
    hidden_reply = call_as("reporter", "helpdesk_comment_create",
                           issue_id=public["id"], body="Rude words")
    call_as("editor", "helpdesk_comment_hide", id=hidden_reply["id"])
    private = factories.Issue(user="editor", dataset_id=desk["private"]["id"])
    call_as("editor", "helpdesk_comment_create", issue_id=private["id"],
            body="About the secret plans.")
    call_as("editor", "helpdesk_issue_update", id=private["id"],
            status="resolved")
    hidden = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                             title="Spam")
    call_as("editor", "helpdesk_comment_create", issue_id=hidden["id"],
            body="Looks like spam.")
    call_as("editor", "helpdesk_issue_hide", id=hidden["id"])
    shown = call_as("editor", "helpdesk_comment_create", issue_id=public["id"],
                    body="Public answer.")
    # Asked with the editor's token too: the list is the public's.
    for headers in ({}, {"Authorization": desk["tokens"]["editor"]}):
        data = open311_client.get(PATH, "json", "request_updates",
                                  headers=headers)
        assert [u["update_id"] for u in data] == [shown["id"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_date_window_selects_updates_and_pages_are_bounded(
        open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    call_as("editor", "helpdesk_comment_create", issue_id=issue["id"],
            body="First.")
    call_as("editor", "helpdesk_comment_create", issue_id=issue["id"],
            body="Second.")
    past = open311_client.get(PATH, fmt, "request_updates",
                              start_date="2020-01-01T00:00:00Z",
                              end_date="2020-02-01T00:00:00+02:00")
    assert past == []
    first_page = open311_client.get(PATH, fmt, "request_updates",
                                    page_size="1")
    second_page = open311_client.get(PATH, fmt, "request_updates",
                                     page_size="1", page="2")
    assert [first_page[0]["description"], second_page[0]["description"]] \
        == ["First.", "Second."]


BAD_LIST_PARAMETERS = [
    ({"start_date": "yesterday"}, 400, "start_date"),
    ({"end_date": "2026-12-01"}, 400, "end_date"),
    ({"start_date": "2026-12-01T00:00:00"}, 400, "start_date"),
    ({"start_date": "2026-12-02T00:00:00Z",
      "end_date": "2026-12-01T00:00:00Z"}, 400, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z",
      "end_date": "2026-12-01T00:00:00Z"}, 400, "90 days"),
    ({"page_size": "1001"}, 400, "page_size"),
    ({"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_parameters_of_the_list_are_errors_naming_them(
        open311_client, desk, fmt):
    for params, status, named in BAD_LIST_PARAMETERS:
        data = open311_client.get(PATH, fmt, expect=status, **params)
        assert named in only_error(data, status), params


# -- POST ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_update_becomes_a_public_reply_and_status_change(
        app, open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    [answer] = post_update(open311_client, desk, fmt=fmt,
                           service_request_id=issue["id"], status="fixed",
                           description="Fixed by the street team.",
                           first_name="Sam", last_name="Ray",
                           email="sam@example.org")
    changed = call_as(None, "helpdesk_issue_show", id=issue["id"])
    assert changed["status"] == "resolved"
    [reply] = call_as(None, "helpdesk_comment_list", issue_id=issue["id"])
    assert reply["id"] == answer["update_id"]
    assert (reply["author"], reply["body"]) == (
        "editor", "Fixed by the street team.")
    page = app.get(f"/dataset/buses/issues/{issue['number']}").body
    assert "Fixed by the street team." in page
    assert "sam@example.org" not in page
    [update] = listed(open311_client)
    assert (update["update_id"], update["status"]) == (
        answer["update_id"], "FIXED")


def test_the_same_update_id_twice_is_one_update(open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    first = post_update(open311_client, desk, service_request_id=issue["id"],
                        update_id="fms-77")
    again = post_update(open311_client, desk, service_request_id=issue["id"],
                        update_id="fms-77", description="Sent again.")
    assert first == again
    assert len(call_as(None, "helpdesk_comment_list",
                       issue_id=issue["id"])) == 1
    # Another poster's update_id of the same value is theirs.
    other = post_update(open311_client, desk, user="reporter",
                        service_request_id=issue["id"], update_id="fms-77")
    assert other != first
    assert len(listed(open311_client)) == 2


def test_an_update_from_who_may_not_change_the_status_is_a_reply_only(
        open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    post_update(open311_client, desk, user="reporter",
                service_request_id=issue["id"], status="CLOSED",
                description="It is fine now.")
    assert call_as(None, "helpdesk_issue_show", id=issue["id"])["status"] \
        == "new"
    [reply] = call_as(None, "helpdesk_comment_list", issue_id=issue["id"])
    assert reply["body"] == "It is fine now."


def test_open_reopens_a_closed_issue_and_closed_closes_an_open_one(
        open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    post_update(open311_client, desk, service_request_id=issue["id"],
                status="CLOSED", update_id="a")
    assert call_as(None, "helpdesk_issue_show", id=issue["id"])["status"] \
        == "resolved"
    post_update(open311_client, desk, service_request_id=issue["id"],
                status="open", update_id="b")
    assert call_as(None, "helpdesk_issue_show", id=issue["id"])["status"] \
        == "new"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_field_is_a_400_naming_it(open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    for missing in ("service_request_id", "update_id", "status",
                    "description", "updated_datetime"):
        fields = {"service_request_id": issue["id"], missing: None}
        data = post_update(open311_client, desk, fmt=fmt, expect=400,
                           **fields)
        assert only_error(data, 400) == f"{missing} is required"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_field_is_a_400_naming_it(open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    for field, value in [("status", "MAYBE"),
                         ("updated_datetime", "last tuesday"),
                         ("updated_datetime", "2026-12-01T10:00:00"),
                         ("update_id", "x" * 201)]:
        data = post_update(open311_client, desk, fmt=fmt, expect=400,
                           service_request_id=issue["id"], **{field: value})
        assert only_error(data, 400).startswith(field), (field, value)
    assert call_as(None, "helpdesk_comment_list", issue_id=issue["id"]) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_a_valid_api_key_the_update_is_refused(open311_client, desk,
                                                       fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    for key in (None, "not-a-token"):
        data = post_update(open311_client, desk, fmt=fmt, expect=403,
                           service_request_id=issue["id"], api_key=key)
        assert "api_key" in only_error(data, 403)
    assert call_as(None, "helpdesk_comment_list", issue_id=issue["id"]) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_or_private_request_is_a_404(open311_client, desk, fmt):
    private = factories.Issue(user="editor", dataset_id=desk["private"]["id"])
    for request_id in ("no-such-request", private["id"]):
        data = post_update(open311_client, desk, user="outsider", fmt=fmt,
                           expect=404, service_request_id=request_id)
        assert request_id in only_error(data, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reply_the_help_desk_refuses_is_a_400_naming_the_field(
        open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    data = post_update(open311_client, desk, fmt=fmt, expect=400,
                       service_request_id=issue["id"],
                       description="x" * 20001)
    assert only_error(data, 400).startswith("description")
