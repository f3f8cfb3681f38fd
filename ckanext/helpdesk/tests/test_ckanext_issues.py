"""Moving from ckanext-issues: `ckan helpdesk import-ckanext-issues` brings
its issues, comments and abuse reports over with their numbers, texts,
authors and dates, once; private stays private; --dry-run changes nothing.

The ckanext-issues tables and rows are made by ckanext-issues 1.0.0's own
code (ckanext_issues_seed.py), in a process of its own."""
import json
import pathlib
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from ckanext.helpdesk.model import (AbuseReport, Comment, ImportedRow,
                                    Issue, IssueCounter)
from ckanext.helpdesk.tests.conftest import TEST_INI
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SEED = pathlib.Path(__file__).with_name("ckanext_issues_seed.py")
SECRET = "Secret ledger is off by one"
# A user and a dataset purged from the portal since ckanext-issues
# recorded them.
GONE_USER = str(uuid.uuid4())
GONE_DATASET = str(uuid.uuid4())
# Open311 lists at most 90 days; the issues below fall into this window.
OPEN311_WINDOW = ("start_date=2025-05-01T00:00:00Z"
                  "&end_date=2025-07-15T00:00:00Z")


@pytest.fixture
def portal():
    admin, member, outsider = make_user(), make_user(), make_user()
    reporter = make_user(fullname="Rita Reporter")
    commenter = make_user(fullname="Carl Commenter")
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": member["name"], "capacity": "member"}])
    public = factories.Dataset(owner_org=org["id"], resources=[
        {"url": "http://x.test/a.csv", "name": "a.csv"}])
    private = factories.Dataset(owner_org=org["id"], private=True)
    return {"admin": admin, "member": member, "outsider": outsider,
            "reporter": reporter, "commenter": commenter, "org": org,
            "public": public, "private": private}


def source_issues(portal):
    """The ckanext-issues database: issues on a public and a private
    dataset and on a purged one, comments, closed, hidden and reported
    ones, a purged user."""
    public, private = portal["public"]["id"], portal["private"]["id"]
    reporter, commenter = portal["reporter"]["id"], portal["commenter"]["id"]
    admin, member = portal["admin"]["id"], portal["member"]["id"]
    return [
        {"dataset_id": public, "number": 1, "title": "Totals do not add up",
         "description": "Row 12 *sums* wrong.", "user_id": reporter,
         "assignee_id": admin, "created": "2025-06-01T10:00:00",
         "resource_id": portal["public"]["resources"][0]["id"],
         "comments": [
             {"comment": "Same for row 13.", "user_id": commenter,
              "created": "2025-06-02T11:00:00"},
             {"comment": "Looking into it.", "user_id": admin,
              "created": "2025-06-03T12:30:00"}]},
        {"dataset_id": public, "number": 2, "title": "Broken link",
         "description": "The CSV 404s.", "user_id": reporter,
         "status": "closed", "created": "2025-06-05T09:00:00",
         "resolved": "2025-06-10T16:45:00",
         "comments": [{"comment": "Fixed, thanks.", "user_id": admin,
                       "created": "2025-06-10T16:40:00"}]},
        {"dataset_id": public, "number": 4, "title": "Units missing",
         "description": "Metres or feet?", "user_id": GONE_USER,
         "created": "2025-06-06T08:00:00",
         "comments": [
             {"comment": "Metres, surely.", "user_id": GONE_USER,
              "created": "2025-06-07T08:00:00"},
             {"comment": "Buy cheap pills", "user_id": commenter,
              "created": "2025-06-08T08:00:00", "visibility": "hidden",
              "abuse_status": 1, "reports": [reporter]}]},
        {"dataset_id": public, "number": 5, "title": "Spam spam spam",
         "description": "spam", "user_id": commenter,
         "created": "2025-06-09T08:00:00", "visibility": "hidden",
         "reports": [reporter, admin]},
        {"dataset_id": private, "number": 1, "title": SECRET,
         "description": "Only staff should read this.", "user_id": member,
         "created": "2025-06-11T10:00:00",
         "comments": [{"comment": "Secret reply", "user_id": admin,
                       "created": "2025-06-12T10:00:00"}]},
        {"dataset_id": private, "number": 2, "title": "Secret and closed",
         "user_id": member, "status": "closed",
         "created": "2025-06-13T10:00:00",
         "resolved": "2025-06-14T10:00:00"},
        {"dataset_id": GONE_DATASET, "number": 1, "title": "Gone dataset",
         "description": "It is gone.", "user_id": reporter,
         "created": "2025-06-15T10:00:00",
         "comments": [{"comment": "Indeed", "user_id": reporter,
                       "created": "2025-06-16T10:00:00"}]},
    ]


def seed(issues, *options):
    """Make the ckanext-issues tables and rows with its own code."""
    model.Session.remove()  # its TRUNCATE waits for no open transaction
    done = subprocess.run(
        [sys.executable, str(SEED), str(TEST_INI), *options],
        input=json.dumps(issues),
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def source(portal):
    return seed(source_issues(portal))


@pytest.fixture
def run_import(cli):
    """Run the command in this process; its output."""
    def run(*args, exit_code=0):
        result = cli.invoke(ckan_command, [
            "-c", str(TEST_INI), "helpdesk", "import-ckanext-issues", *args])
        assert result.exit_code == exit_code, result.output
        model.Session.remove()
        return result.output
    return run


def report_line(output, label):
    return next(line.strip() for line in output.splitlines()
                if line.strip().startswith(label))


def issue(dataset, number):
    return model.Session.execute(sa.select(Issue).where(
        Issue.dataset_id == dataset["id"], Issue.number == number)).scalar()


def comments_of(issue_row):
    return model.Session.execute(sa.select(Comment).where(
        Comment.issue_id == issue_row.id).order_by(Comment.created)
    ).scalars().all()


def row_counts():
    model.Session.remove()
    return {table: model.Session.execute(
        sa.select(sa.func.count()).select_from(table)).scalar()
        for table in (Issue, Comment, AbuseReport, ImportedRow)} | {
        "counters": sorted(model.Session.execute(sa.select(
            IssueCounter.scope, IssueCounter.last_number)).all())}


def as_iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


# -- what is imported ---------------------------------------------------------

def test_cli_imports_numbers_texts_authors_and_dates(ckan_cli, portal,
                                                     source):
    done = ckan_cli("helpdesk", "import-ckanext-issues")

    assert done.returncode == 0, done.stderr
    assert "Issues imported: 6 (2 closed, 1 hidden, 2 on private " \
        "datasets)" in done.stdout
    assert "Comments imported: 6 (1 hidden)" in done.stdout
    public, private = portal["public"], portal["private"]
    first = issue(public, 1)
    assert (first.title, first.description) == (
        "Totals do not add up", "Row 12 *sums* wrong.")
    assert first.reporter_id == portal["reporter"]["id"]
    assert first.assignee_id == portal["admin"]["id"]
    assert first.organization_id == portal["org"]["id"]
    assert first.resource_id == public["resources"][0]["id"]
    assert (first.status, first.resolved_at) == ("new", None)
    assert as_iso(first.created) == "2025-06-01T10:00:00Z"
    assert as_iso(first.updated) == "2025-06-03T12:30:00Z"
    assert first.comment_count == 2
    assert [(comment.body, comment.author_id, as_iso(comment.created))
            for comment in comments_of(first)] == [
        ("Same for row 13.", portal["commenter"]["id"],
         "2025-06-02T11:00:00Z"),
        ("Looking into it.", portal["admin"]["id"], "2025-06-03T12:30:00Z")]
    closed = issue(public, 2)
    assert closed.status == "resolved"
    assert as_iso(closed.resolved_at) == "2025-06-10T16:45:00Z"
    assert as_iso(closed.created) == "2025-06-05T09:00:00Z"
    assert issue(public, 3) is None
    assert issue(public, 4).title == "Units missing"
    assert issue(private, 1).title == SECRET
    assert issue(private, 2).status == "resolved"
    assert issue(private, 2).description == ""


def test_issue_page_shows_the_imported_issue_and_its_comments(
        app, portal, source, run_import):
    run_import()

    page = app.get(f"/dataset/{portal['public']['name']}/issues/1").body

    assert "Totals do not add up" in page
    assert "Same for row 13." in page and "Looking into it." in page
    assert "Reported by Rita Reporter" in page
    assert "Carl Commenter" in page


def test_a_second_run_imports_nothing(portal, source, run_import):
    run_import()
    after_first = row_counts()

    output = run_import()

    assert row_counts() == after_first
    assert "Issues imported: 0 " in output
    assert "Comments imported: 0 " in output
    assert "Abuse reports imported: 0 " in output
    assert report_line(output, "Imported by an earlier run") == \
        "Imported by an earlier run (skipped): 6 issues, 6 comments, " \
        "3 abuse reports"


def test_a_later_run_imports_only_what_ckanext_issues_got_since(
        portal, source, run_import):
    run_import()
    seed([{"id": source[0]["id"], "comments": [
        {"comment": "Still wrong in May.", "user_id": portal["reporter"]["id"],
         "created": "2025-06-20T09:00:00"}]}], "--keep")

    output = run_import()

    assert "Issues imported: 0 " in output
    assert "Comments imported: 1 (0 hidden)" in output
    first = issue(portal["public"], 1)
    assert [comment.body for comment in comments_of(first)][-1] == \
        "Still wrong in May."
    assert first.comment_count == 3
    assert as_iso(first.updated) == "2025-06-20T09:00:00Z"
    assert row_counts()[Issue] == 6


def test_dry_run_reports_what_a_run_would_do_and_changes_nothing(
        portal, source, run_import):
    before = row_counts()

    dry = run_import("--dry-run")

    assert row_counts() == before
    assert dry.splitlines()[0] == "Dry run: nothing was changed."
    real = run_import()
    assert real.splitlines()[1:12] == dry.splitlines()[1:12]
    assert row_counts()[Issue] == 6


def test_report_counts_what_could_not_be_imported(portal, source,
                                                  run_import):
    # A help desk issue took #1 of the public dataset before the move.
    call_as(portal["outsider"], "helpdesk_issue_create",
            dataset_id=portal["public"]["id"], category="question",
            title="Reported here first", description="Before the move.")

    output = run_import()

    assert report_line(output, "Issues not imported") == \
        "Issues not imported: 2"
    assert report_line(output, "dataset no longer exists") == \
        f"dataset no longer exists: 1 ({GONE_DATASET} #1)"
    assert report_line(output, "number already taken") == \
        "number already taken by a help desk issue: 1 " \
        f"({portal['public']['name']} #1)"
    # The issue #1 and the gone dataset's issue take their comments along.
    assert report_line(output, "Comments and abuse reports of issues") \
        .endswith(": 3")
    assert report_line(output, "Users not on this portal") == \
        f"Users not on this portal: 1 ({GONE_USER})"
    assert report_line(output, "imported without them") == \
        "imported without them: 1 reporters, 1 comment authors, " \
        "0 assignees, 0 abuse reporters"
    assert issue(portal["public"], 1).title == "Reported here first"
    units = issue(portal["public"], 4)
    assert units.reporter_id is None
    assert [comment.author_id for comment in comments_of(units)][0] is None


def test_report_lists_ckanext_issues_categories_and_the_one_used(
        portal, source, run_import):
    output = run_import("--category", "question")

    line = report_line(output, "Categories of ckanext-issues")
    assert "filed under 'question'" in line
    assert "broken-resource-link (Broken data link)" in line
    assert issue(portal["public"], 1).category == "question"


def test_unknown_category_is_refused_naming_the_option(source, run_import):
    output = run_import("--category", "nonsense", exit_code=2)

    assert "--category" in output and "'nonsense'" in output
    assert row_counts()[Issue] == 0


def test_database_without_ckanext_issues_tables_is_a_clear_error(
        run_import):
    model.Session.execute(sa.text(
        "DROP TABLE IF EXISTS issue_comment_report, issue_report, "
        "issue_comment, issue, issue_category"))
    model.Session.commit()

    output = run_import(exit_code=1)

    assert "No table 'issue' in this database" in output


# -- moderation ---------------------------------------------------------------

def test_hidden_and_reported_posts_stay_hidden_and_reach_moderation(
        app, portal, source, run_import):
    output = run_import()

    spam = issue(portal["public"], 5)
    assert spam.hidden
    reports = model.Session.execute(sa.select(AbuseReport).order_by(
        AbuseReport.comment_id.nulls_first())).scalars().all()
    assert [(report.issue_id, report.comment_id is None,
             report.resolved_at is None) for report in reports] == [
        (spam.id, True, True), (spam.id, True, True),
        (issue(portal["public"], 4).id, False, False)]
    assert "Abuse reports imported: 3 (2 awaiting moderation)" in output
    pills = comments_of(issue(portal["public"], 4))[1]
    assert pills.body == "Buy cheap pills" and pills.hidden
    assert issue(portal["public"], 4).comment_count == 1
    public_page = app.get(f"/dataset/{portal['public']['name']}/issues").body
    assert "Spam spam spam" not in public_page
    assert "Buy cheap pills" not in app.get(
        f"/dataset/{portal['public']['name']}/issues/4").body


# -- private stays private ----------------------------------------------------

def _token(user):
    return factories.APIToken(user=user["name"])["token"]


def _open311(app, user):
    headers = {"Authorization": _token(user)} if user else {}
    return app.get(f"/open311/v2/requests.json?{OPEN311_WINDOW}",
                   headers=headers).body


def _action_search(app, user):
    headers = {"Authorization": _token(user)} if user else {}
    return app.get("/api/3/action/helpdesk_issue_search?status=open,closed",
                   headers=headers).json["result"]["results"]


def _signed_in(app, user):
    from ckanext.helpdesk.tests.views.conftest import Visitor
    visitor = Visitor(app)
    return visitor.sign_in(user) if user else visitor


@pytest.mark.parametrize("who", [None, "outsider"])
def test_private_dataset_imported_issues_stay_hidden_from_outsiders(
        app, portal, source, run_import, who):
    run_import()
    user = portal[who] if who else None
    visitor = _signed_in(app, user)
    private = portal["private"]["name"]

    assert visitor.get(f"/dataset/{private}/issues/1").status_code == 404
    assert visitor.get(f"/dataset/{private}/issues").status_code == 404
    assert SECRET not in visitor.get("/issues?status=all").body
    listed = _open311(app, user)
    assert "Row 12" in listed
    assert SECRET not in listed and "Only staff" not in listed
    titles = {result["title"] for result in _action_search(app, user)}
    assert "Totals do not add up" in titles
    assert not titles & {SECRET, "Secret and closed"}


def test_member_sees_the_private_dataset_imported_issues(
        app, portal, source, run_import):
    run_import()
    member = portal["member"]
    visitor = _signed_in(app, member)
    private = portal["private"]["name"]

    page = visitor.get(f"/dataset/{private}/issues/1")
    assert page.status_code == 200
    assert SECRET in page.body and "Secret reply" in page.body
    assert "Only staff should read this." in _open311(app, member)
    titles = {result["title"] for result in _action_search(app, member)}
    assert {SECRET, "Secret and closed"} <= titles


# -- numbers and search index -------------------------------------------------

def test_issue_reported_after_the_import_gets_the_next_number(
        portal, source, run_import):
    run_import()

    reported = call_as(portal["outsider"], "helpdesk_issue_create",
                       dataset_id=portal["public"]["id"], category="question",
                       title="After the move", description="New here.")

    assert reported["number"] == 6


@pytest.mark.usefixtures("clean_index")
def test_dataset_search_counts_the_imported_open_issues(portal, source,
                                                        run_import):
    output = run_import()

    assert "Datasets reindexed: 2" in output
    found = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"fq": "helpdesk_open_issues:[2 TO *]", "include_private": True})
    # The public dataset: #1 and #4 open (#5 is hidden, #2 closed).
    assert [dataset["name"] for dataset in found["results"]] == [
        portal["public"]["name"]]


def test_visitors_see_the_imported_issues_at_once_not_when_the_cache_expires(
        app, portal, source, run_import):
    dataset_page = f"/dataset/{portal['public']['name']}"
    open_count = 'helpdesk-open-count">{}</span>'
    assert open_count.format(0) in app.get(dataset_page).body  # kept 60 s

    run_import()

    assert open_count.format(2) in app.get(dataset_page).body
    assert "Units missing" in app.get(dataset_page + "/issues/latest").body
