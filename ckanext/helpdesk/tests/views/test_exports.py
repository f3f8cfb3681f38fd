"""CSV and JSON exports of the issue lists: the rows the caller may see
with the list's filters, public fields only, bad filters a 400 naming
them, texts with control characters still readable, and the answer
streamed by a real server."""
import csv
import http.client
import io
import json
import urllib.parse

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic.export import COLUMNS
from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.conftest import gunicorn_server
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

REPORTER_EMAIL = "anonymous-reporter@example.org"
NOTE = "Internal: the supplier owes us the fix"


def _csv(response):
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == list(COLUMNS)
    return [dict(zip(table[0], row)) for row in table[1:]]


def _json(response):
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.get_data(as_text=True))


def _titles(rows):
    return sorted(row["title"] for row in rows)


@pytest.fixture
def issues(portal, ckan_config):
    """A public dataset's issues (one by an anonymous reporter with an
    email, one hidden, one with an internal note), a private dataset's
    issue and a data request."""
    reporter, editor = portal["reporter"], portal["editor"]
    private = factories.Dataset(owner_org=portal["org"]["id"], private=True)
    anonymous = call_as(None, "helpdesk_issue_create",
                        dataset_id=portal["dataset"]["id"],
                        category="question", title="Anonymous asks",
                        description="How often is it updated?",
                        reporter_name="Annabel Reporter",
                        reporter_email=REPORTER_EMAIL)
    noted = factories.Issue(user=reporter, dataset_id=portal["dataset"]["id"],
                            title="Noted")
    call_as(editor, "helpdesk_issue_update", id=noted["id"], comment=NOTE,
            internal=True, status="in_progress")
    hidden = factories.Issue(user=reporter, dataset_id=portal["dataset"]["id"],
                             title="Hidden spam")
    call_as(editor, "helpdesk_issue_hide", id=hidden["id"])
    factories.Issue(user=editor, dataset_id=private["id"], title="Private gap")
    factories.Issue(user=reporter, title="Please publish buses",
                    organization_id=portal["org"]["id"],
                    category="data-request")
    return {"anonymous": anonymous, "noted": noted, "private": private}


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_exports_hold_public_issues_only_without_emails_or_notes(
        app, issues):
    for url in ("/issues.csv", "/issues.json"):
        response = app.get(url)
        rows = _csv(response) if url.endswith("csv") else _json(response)
        body = response.get_data(as_text=True)

        assert _titles(rows) == ["Anonymous asks", "Noted",
                                 "Please publish buses"]
        assert REPORTER_EMAIL not in body and "Annabel" not in body
        assert NOTE not in body
        assert set(rows[0]) == set(COLUMNS)


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_members_export_private_issues_never_hidden_ones_notes_or_emails(
        make_visitor, portal, issues):
    editor = make_visitor().sign_in(portal["editor"])
    response = editor.get(f"/organization/{portal['org']['name']}/issues.csv")
    body = response.get_data(as_text=True)

    assert _titles(_csv(response)) == [
        "Anonymous asks", "Noted", "Please publish buses", "Private gap"]
    assert REPORTER_EMAIL not in body and NOTE not in body
    assert "Hidden spam" not in body
    # A visitor asking for the private dataset's export is told it is not
    # there, as its pages do.
    visitor = make_visitor()
    assert visitor.get(f"/dataset/{issues['private']['name']}/issues.csv"
                       ).status_code == 404


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_exports_honour_the_list_filters_and_link_from_the_list_pages(
        app, portal, issues):
    name = portal["dataset"]["name"]

    assert _titles(_csv(app.get(f"/dataset/{name}/issues.csv"))) == [
        "Anonymous asks", "Noted"]
    assert _titles(_json(app.get(
        f"/dataset/{name}/issues.json?category=question"))) == [
        "Anonymous asks"]
    assert _titles(_csv(app.get("/issues.csv?status=in_progress"))) == [
        "Noted"]
    assert _titles(_csv(app.get("/issues.csv?q=buses"))) == [
        "Please publish buses"]
    assert _titles(_csv(app.get("/issues.csv?older_than=30"))) == []
    rows = _csv(app.get("/issues.csv?category=data-request"))
    assert [(row["dataset_name"], row["url"]) for row in rows] == [
        ("", tk.config["ckan.site_url"] + "/organization/"
         f"{portal['org']['name']}/requests/1")]
    # The list pages (which show open issues unless told otherwise) link
    # to the export of what they show.
    page = app.get(f"/dataset/{name}/issues?category=question").body
    assert (f"/dataset/{name}/issues.csv?status=open&amp;category=question"
            in page or f"/dataset/{name}/issues.csv?category=question"
            "&amp;status=open" in page)
    assert "/issues.json?status=open" in app.get("/issues").body
    org_page = app.get(f"/organization/{portal['org']['name']}/issues").body
    assert f"/organization/{portal['org']['name']}/issues.csv" in org_page


@pytest.mark.parametrize("query, field", [
    ("status=bogus", "status"), ("category=nope", "category"),
    ("older_than=99999999", "older_than"), ("q=" + "x" * 600, "q"),
    ("organization_id=a%00b", "organization_id")])
def test_a_bad_filter_is_a_400_naming_it(app, portal, query, field):
    response = app.get(f"/issues.csv?{query}", status=400)

    assert f"{field}:" in response.body


def test_control_characters_stored_before_do_not_break_csv_or_json(
        app, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    model.Session.query(Issue).filter(Issue.id == issue["id"]).update({
        "title": "Escape \x1b[31m red, \"quoted\"",
        "description": "Line one\r\nline two\x0b\ttabbed\x7f"})
    model.Session.commit()

    row, = _csv(app.get("/issues.csv"))
    item, = _json(app.get("/issues.json"))

    for exported in (row, item):
        assert exported["title"] == "Escape \ufffd[31m red, \"quoted\""
        assert exported["description"] == (
            "Line one\r\nline two\ufffd\ttabbed\x7f")


def test_a_real_server_streams_the_export_in_chunks(portal):
    for number in range(3):
        factories.Issue(user=portal["reporter"],
                        dataset_id=portal["dataset"]["id"],
                        title=f"Issue {number}")
    with gunicorn_server() as url:
        connection = http.client.HTTPConnection(
            urllib.parse.urlsplit(url).netloc, timeout=60)
        connection.request("GET", "/issues.json")
        response = connection.getresponse()
        headers = dict(response.getheaders())
        body = response.read()

    assert response.status == 200
    # No length known in advance: sent as it is read, chunk by chunk.
    assert headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in headers
    assert sorted(item["title"] for item in json.loads(body)) == [
        "Issue 0", "Issue 1", "Issue 2"]
