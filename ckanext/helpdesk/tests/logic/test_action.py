"""The actions' behaviour beyond the auth matrix: numbering, the issue
dict, status changes, what is hidden from whom, search, counts, votes,
comments, the timeline, abuse reports and signals."""
import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.helpdesk import signals
from ckanext.helpdesk.model import Event, Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


# -- creating and showing ------------------------------------------------------

def test_numbers_count_per_dataset_and_per_organization_requests(world):
    other = factories.Dataset(owner_org=world.org["id"])
    numbers = [factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])["number"],
               factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])["number"],
               factories.Issue(user=world.reporter,
                               dataset_id=other["id"])["number"],
               factories.Issue(user=world.reporter,
                               organization_id=world.org["id"])["number"],
               factories.Issue(user=world.reporter,
                               organization_id=world.org["id"])["number"]]
    assert numbers == [1, 2, 1, 1, 2]


def test_the_issue_dict_names_what_it_refers_to(world):
    resource = factories.Resource(package_id=world.public["id"],
                                  name="totals.csv")
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            resource_id=resource["id"])
    assert issue["dataset_name"] == world.public["name"]
    assert issue["organization_name"] == world.org["name"]
    assert issue["resource_name"] == "totals.csv"
    assert issue["reporter"] == world.reporter["name"]
    assert issue["reporter_display_name"] == world.reporter["fullname"]
    assert issue["status"] == "new" and issue["is_open"] is True
    assert issue["created"].endswith("+00:00")
    assert issue["voted"] is False


def test_a_data_request_belongs_to_its_organization_only(world):
    issue = factories.Issue(user=world.reporter,
                            organization_id=world.org["id"],
                            category="data-request")
    assert issue["dataset_id"] is None
    assert issue["organization_id"] == world.org["id"]


def test_show_by_number_of_a_dataset_or_of_an_organization(world):
    on_dataset = factories.Issue(user=world.reporter,
                                 dataset_id=world.public["id"])
    request = factories.Issue(user=world.reporter,
                              organization_id=world.org["id"])
    assert call_as(None, "helpdesk_issue_show",
                   dataset_id=world.public["name"],
                   number=1)["id"] == on_dataset["id"]
    assert call_as(None, "helpdesk_issue_show",
                   organization_id=world.org["name"],
                   number=1)["id"] == request["id"]
    with pytest.raises(tk.ObjectNotFound):
        call_as(None, "helpdesk_issue_show", dataset_id=world.public["name"],
                number=2)


def test_anonymous_reports_only_when_the_operator_allows(world):
    with pytest.raises(tk.NotAuthorized):
        call_as(None, "helpdesk_issue_create", dataset_id=world.public["id"],
                category="question", title="Units?", description="Which?",
                reporter_name="Ann", reporter_email="ann@example.org")


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_anonymous_email_is_shown_to_editors_only(world):
    issue = call_as(None, "helpdesk_issue_create",
                    dataset_id=world.public["id"], category="question",
                    title="Units?", description="Which?", reporter_name="Ann",
                    reporter_email="ann@example.org")
    assert issue["reporter_display_name"] == "Ann"
    assert issue["reporter"] is None
    for viewer in (None, world.stranger, world.member, world.outsider):
        assert "reporter_email" not in call_as(viewer, "helpdesk_issue_show",
                                               id=issue["id"])
    for viewer in (world.editor, world.admin, world.sysadmin):
        assert call_as(viewer, "helpdesk_issue_show",
                       id=issue["id"])["reporter_email"] == "ann@example.org"
    listed = call_as(None, "helpdesk_issue_search")["results"][0]
    assert "reporter_email" not in listed


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_anonymous_visitors_cannot_report_on_private_datasets(world):
    # Not found, as a missing dataset: the answer tells nothing of it.
    with pytest.raises(tk.ValidationError) as raised:
        call_as(None, "helpdesk_issue_create", dataset_id=world.private["id"],
                category="question", title="Units?", description="Which?",
                reporter_name="Ann", reporter_email="ann@example.org")
    assert raised.value.error_dict == {"dataset_id": ["Dataset not found"]}


def test_signed_in_users_cannot_pose_as_someone_else(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            reporter_name="The Mayor",
                            reporter_email="mayor@example.org")
    assert issue["reporter_display_name"] == world.reporter["fullname"]
    assert "reporter_email" not in issue
    shown = call_as(world.editor, "helpdesk_issue_show", id=issue["id"])
    assert shown["reporter_email"] is None


def test_issues_outlive_their_dataset(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    helpers.call_action("dataset_purge", id=world.public["id"])
    assert call_as(world.editor, "helpdesk_issue_show",
                   id=issue["id"])["dataset_name"] is None
    with pytest.raises(tk.ObjectNotFound):
        call_as(world.stranger, "helpdesk_issue_show", id=issue["id"])


@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True)
def test_collaborators_see_the_issues_of_their_private_dataset(world):
    issue = factories.Issue(user=world.editor, dataset_id=world.private["id"])
    with pytest.raises(tk.ObjectNotFound):
        call_as(world.stranger, "helpdesk_issue_show", id=issue["id"])
    helpers.call_action("package_collaborator_create",
                        id=world.private["id"], user_id=world.stranger["id"],
                        capacity="member")
    assert call_as(world.stranger, "helpdesk_issue_show",
                   id=issue["id"])["id"] == issue["id"]
    assert call_as(world.stranger, "helpdesk_issue_search")["count"] == 1



def test_trusted_internal_calls_see_everything(world):
    """ignore_auth (jobs, CLI, other actions) reads without the rule."""
    issue = factories.Issue(user=world.editor, dataset_id=world.private["id"])
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    assert helpers.call_action("helpdesk_issue_search")["count"] == 1
    assert helpers.call_action("helpdesk_issue_show",
                               id=issue["id"])["hidden"] is True


# -- changing ------------------------------------------------------------------

def test_closing_stamps_resolved_at_and_keeps_the_reply(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    closed = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                     status="resolved", comment="Fixed in the 2022 release.")
    assert closed["is_open"] is False and closed["resolved_at"]
    assert closed["closing_comment"]["body"] == "Fixed in the 2022 release."
    assert closed["closing_comment"]["author"] == world.editor["name"]
    assert closed["comment_count"] == 1

    reopened = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                       status="acknowledged")
    assert reopened["resolved_at"] is None
    assert reopened["closing_comment"] is None


def test_moving_between_closed_statuses_keeps_the_resolution_time(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    resolved = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                       status="resolved")
    wont_fix = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                       status="wont_fix")
    assert wont_fix["resolved_at"] == resolved["resolved_at"]


def test_naming_an_original_marks_a_duplicate_and_reopening_forgets_it(
        world):
    original = factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    duplicate = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                        duplicate_of=original["id"])
    assert duplicate["status"] == "duplicate"
    assert duplicate["duplicate_of_id"] == original["id"]
    assert duplicate["duplicate_of_number"] == 1
    reopened = call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                       status="new")
    assert reopened["duplicate_of_id"] is None


def test_assigning_and_unassigning(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    assigned = call_as(world.admin, "helpdesk_issue_update", id=issue["id"],
                       assignee=world.member["name"])
    assert assigned["assignee"] == world.member["name"]
    assert call_as(world.admin, "helpdesk_issue_update", id=issue["id"],
                   assignee="")["assignee"] is None


def test_the_reporter_edits_the_text_but_does_not_manage(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    edited = call_as(world.reporter, "helpdesk_issue_update", id=issue["id"],
                     title="Wrong totals in 2021", description="See row 12.")
    assert edited["title"] == "Wrong totals in 2021"
    for change in ({"status": "resolved"}, {"assignee": world.editor["name"]},
                   {"duplicate_of": issue["id"]}):
        with pytest.raises(tk.NotAuthorized):
            call_as(world.reporter, "helpdesk_issue_update", id=issue["id"],
                    **change)


def test_members_without_editing_rights_do_not_manage(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(world.member, "helpdesk_issue_update", id=issue["id"],
                status="acknowledged")


def test_the_timeline_records_who_changed_what(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="in_progress", assignee=world.editor["name"])
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    events = call_as(world.editor, "helpdesk_event_list", issue_id=issue["id"])
    assert {(e["kind"], e["old_value"], e["new_value"]) for e in events} == {
        ("status", "new", "in_progress"),
        ("assignee", None, world.editor["name"]),
        ("hidden", "false", "true")}
    assert {e["actor"] for e in events} == {world.editor["name"]}


def test_only_sysadmins_delete(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(world.admin, "helpdesk_issue_delete", id=issue["id"])
    call_as(world.sysadmin, "helpdesk_issue_delete", id=issue["id"])
    with pytest.raises(tk.ObjectNotFound):
        call_as(world.sysadmin, "helpdesk_issue_show", id=issue["id"])
    # Its number is not given out again.
    assert factories.Issue(user=world.reporter,
                           dataset_id=world.public["id"])["number"] == 2


# -- hidden issues and comments ---------------------------------------------

def test_hidden_issues_are_for_the_organizations_editors(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(world.reporter, "helpdesk_issue_hide", id=issue["id"])
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    for viewer in (None, world.reporter, world.member, world.outsider):
        with pytest.raises(tk.ObjectNotFound):
            call_as(viewer, "helpdesk_issue_show", id=issue["id"])
        assert call_as(viewer, "helpdesk_issue_search")["count"] == 0
        assert call_as(viewer, "helpdesk_issue_counts", dataset_ids=[
            world.public["id"]])[world.public["id"]]["total"] == 0
    for viewer in (world.editor, world.admin, world.sysadmin):
        assert call_as(viewer, "helpdesk_issue_show",
                       id=issue["id"])["hidden"] is True
        assert call_as(viewer, "helpdesk_issue_search")["count"] == 1


def test_internal_notes_are_for_the_organizations_members(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.reporter, "helpdesk_comment_create", issue_id=issue["id"],
            body="Public question")
    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="Internal note", internal=True)
    with pytest.raises(tk.NotAuthorized):
        call_as(world.member, "helpdesk_comment_create", issue_id=issue["id"],
                body="Member note", internal=True)

    def bodies(viewer):
        return [c["body"] for c in call_as(viewer, "helpdesk_comment_list",
                                           issue_id=issue["id"])]
    for viewer in (None, world.reporter, world.stranger, world.outsider):
        assert bodies(viewer) == ["Public question"]
    for viewer in (world.member, world.editor, world.admin, world.sysadmin):
        assert bodies(viewer) == ["Public question", "Internal note"]
    assert call_as(None, "helpdesk_issue_show",
                   id=issue["id"])["comment_count"] == 1


def test_hidden_comments_are_flagged_for_editors_and_gone_for_others(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Spam")
    with pytest.raises(tk.NotAuthorized):
        call_as(world.member, "helpdesk_comment_hide", id=comment["id"])
    call_as(world.editor, "helpdesk_comment_hide", id=comment["id"])
    for viewer in (None, world.stranger, world.member):
        assert call_as(viewer, "helpdesk_comment_list",
                       issue_id=issue["id"]) == []
    listed = call_as(world.admin, "helpdesk_comment_list",
                     issue_id=issue["id"])
    assert [(c["body"], c["hidden"]) for c in listed] == [("Spam", True)]
    assert call_as(None, "helpdesk_issue_show",
                   id=issue["id"])["comment_count"] == 0


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_anonymous_comments_when_allowed_with_name_and_email(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    with pytest.raises(tk.ValidationError) as raised:
        call_as(None, "helpdesk_comment_create", issue_id=issue["id"],
                body="Same here")
    assert {"author_name", "author_email"} <= set(raised.value.error_dict)
    comment = call_as(None, "helpdesk_comment_create", issue_id=issue["id"],
                      body="Same here", author_name="Ann",
                      author_email="ann@example.org")
    assert comment["author_display_name"] == "Ann"
    assert "author_email" not in comment
    listed = call_as(world.editor, "helpdesk_comment_list",
                     issue_id=issue["id"])
    assert listed[0]["author_email"] == "ann@example.org"


def test_only_the_author_edits_a_comment(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Typo hre")
    with pytest.raises(tk.NotAuthorized):
        call_as(world.editor, "helpdesk_comment_update", id=comment["id"],
                body="Changed")
    assert call_as(world.stranger, "helpdesk_comment_update", id=comment["id"],
                   body="Typo here")["body"] == "Typo here"


# -- search and counts ------------------------------------------------------

@pytest.fixture
def three_issues(world):
    first = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Broken bridge totals")
    second = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"],
                             category="question", title="Which units?")
    third = factories.Issue(user=world.reporter,
                            organization_id=world.org["id"], title="Bus stops",
                            category="data-request")
    call_as(world.editor, "helpdesk_issue_update", id=second["id"],
            status="resolved", assignee=world.editor["name"], comment="mm")
    call_as(world.stranger, "helpdesk_issue_vote", id=third["id"])
    return first, second, third


def _ids(result):
    return [issue["id"] for issue in result["results"]]


def test_search_filters(world, three_issues):
    first, second, third = three_issues

    def found(**filters):
        return set(_ids(call_as(world.editor, "helpdesk_issue_search",
                                **filters)))
    assert found(dataset_id=world.public["name"]) == {first["id"],
                                                      second["id"]}
    assert found(organization_id=world.org["name"]) == {
        first["id"], second["id"], third["id"]}
    assert found(status="open") == {first["id"], third["id"]}
    assert found(status="closed") == {second["id"]}
    assert found(status="new,resolved") == {first["id"], second["id"],
                                            third["id"]}
    assert found(category="question") == {second["id"]}
    assert found(assignee="me") == {second["id"]}
    assert found(assignee="none") == {first["id"], third["id"]}
    assert found(assignee=world.editor["name"]) == {second["id"]}
    assert found(reporter=world.reporter["name"]) == {
        first["id"], second["id"], third["id"]}
    assert found(q="bridges") == {first["id"]}
    assert found(q="unit") == {second["id"]}
    assert found(created_after="2000-01-01") == {
        first["id"], second["id"], third["id"]}
    assert found(created_before="2000-01-01") == set()


def test_search_sorts_pages_and_counts_facets(world, three_issues):
    first, second, third = three_issues
    result = call_as(None, "helpdesk_issue_search", sort="oldest", limit=2)
    assert _ids(result) == [first["id"], second["id"]]
    assert result["count"] == 3
    assert result["facets"] == {
        "status": {"new": 2, "resolved": 1},
        "category": {"data-problem": 1, "question": 1, "data-request": 1}}
    assert _ids(call_as(None, "helpdesk_issue_search", sort="oldest",
                        offset=2)) == [third["id"]]
    assert _ids(call_as(None, "helpdesk_issue_search",
                        sort="votes"))[0] == third["id"]
    assert _ids(call_as(None, "helpdesk_issue_search",
                        sort="comments"))[0] == second["id"]
    assert _ids(call_as(None, "helpdesk_issue_search",
                        sort="newest")) == [third["id"], second["id"],
                                            first["id"]]


def test_search_caps_the_page_size(world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    assert call_as(None, "helpdesk_issue_search", limit=1000000)["count"] == 1


def test_counts_per_dataset_only_count_what_the_caller_sees(world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    closed = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"])
    call_as(world.editor, "helpdesk_issue_update", id=closed["id"],
            status="wont_fix")
    factories.Issue(user=world.editor, dataset_id=world.private["id"])
    ids = [world.public["id"], world.private["id"], "no-such-dataset"]
    assert call_as(None, "helpdesk_issue_counts", dataset_ids=ids) == {
        world.public["id"]: {"open": 1, "total": 2},
        world.private["id"]: {"open": 0, "total": 0},
        "no-such-dataset": {"open": 0, "total": 0}}
    assert call_as(world.member, "helpdesk_issue_counts", dataset_ids=ids)[
        world.private["id"]] == {"open": 1, "total": 1}


# -- votes and subscriptions ------------------------------------------------

def test_one_vote_per_user(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    assert call_as(world.stranger, "helpdesk_issue_vote", id=issue["id"]) == {
        "vote_count": 1, "voted": True}
    assert call_as(world.stranger, "helpdesk_issue_vote", id=issue["id"]) == {
        "vote_count": 1, "voted": True}
    assert call_as(world.member, "helpdesk_issue_vote", id=issue["id"])[
        "vote_count"] == 2
    assert call_as(world.stranger, "helpdesk_issue_show", id=issue["id"])[
        "voted"] is True
    assert call_as(world.stranger, "helpdesk_issue_unvote",
                   id=issue["id"]) == {
        "vote_count": 1, "voted": False}
    assert call_as(world.stranger, "helpdesk_issue_unvote", id=issue["id"])[
        "vote_count"] == 1


def test_voting_does_not_count_as_updating(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.stranger, "helpdesk_issue_vote", id=issue["id"])
    assert call_as(None, "helpdesk_issue_show", id=issue["id"])["updated"] == \
        issue["updated"]


def test_subscribe_and_unsubscribe(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    assert call_as(world.stranger, "helpdesk_issue_subscribe",
                   id=issue["id"]) == {"subscribed": True}
    assert call_as(world.stranger, "helpdesk_issue_subscribe",
                   id=issue["id"]) == {"subscribed": True}
    assert call_as(world.stranger, "helpdesk_issue_show",
                   id=issue["id"])["subscribed"] is True
    assert call_as(world.stranger, "helpdesk_issue_unsubscribe",
                   id=issue["id"]) == {"subscribed": False}
    assert call_as(world.stranger, "helpdesk_issue_show",
                   id=issue["id"])["subscribed"] is False


# -- abuse reports and assignees ----------------------------------------------

def test_abuse_reports_are_moderated_by_sysadmins_and_organization_admins(
        world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Rude words")
    abuse = call_as(world.reporter, "helpdesk_abuse_report_create",
                    issue_id=issue["id"], comment_id=comment["id"],
                    reason="Insulting")
    assert abuse["comment_body"] == "Rude words"
    with pytest.raises(tk.NotAuthorized):
        call_as(world.editor, "helpdesk_abuse_report_list")
    for moderator in (world.admin, world.sysadmin):
        assert [r["id"] for r in call_as(
            moderator, "helpdesk_abuse_report_list")] == [abuse["id"]]
    resolved = call_as(world.sysadmin, "helpdesk_abuse_report_resolve",
                       id=abuse["id"], action="hide")
    assert resolved["resolved_at"]
    assert call_as(None, "helpdesk_comment_list", issue_id=issue["id"]) == []
    assert call_as(world.sysadmin, "helpdesk_abuse_report_list") == []


def test_an_abuse_report_names_a_comment_of_the_issue(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    other = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=other["id"], body="Elsewhere")
    with pytest.raises(tk.ValidationError) as raised:
        call_as(world.reporter, "helpdesk_abuse_report_create",
                issue_id=issue["id"], comment_id=comment["id"], reason="Rude")
    assert "comment_id" in raised.value.error_dict


def test_assignees_are_the_organizations_members_for_its_editors(world):
    names = {user["name"] for user in call_as(
        world.editor, "helpdesk_assignee_list",
        organization_id=world.org["name"])}
    assert names == {world.editor["name"], world.admin["name"],
                     world.member["name"]}
    for viewer in (world.member, world.outsider, world.stranger):
        with pytest.raises(tk.NotAuthorized):
            call_as(viewer, "helpdesk_assignee_list",
                    organization_id=world.org["id"])


def test_categories_come_from_the_config(world):
    assert [c["code"] for c in call_as(None, "helpdesk_category_list")] == [
        "data-problem", "improvement", "question", "data-request"]


@pytest.mark.ckan_config("ckanext.helpdesk.categories",
                         "bug | Bug | Something broken\nidea | Idea")
def test_operators_configure_their_categories(world):
    assert call_as(None, "helpdesk_category_list") == [
        {"code": "bug", "name": "Bug", "description": "Something broken"},
        {"code": "idea", "name": "Idea", "description": ""}]
    assert factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                           category="idea")["category"] == "idea"


# -- signals ---------------------------------------------------------------

@pytest.fixture
def received():
    """What the three signals deliver, and whether the change was already
    committed when they did (it must not be)."""
    log = []

    def receiver(name):
        def receive(sender, **kwargs):
            issue = kwargs["issue"]
            committed = _committed_status(issue.id)
            log.append((name, sender, kwargs, committed))
        return receive
    receivers = {name: receiver(name) for name in
                 ("created", "changed", "comment")}
    signals.issue_created.connect(receivers["created"])
    signals.issue_changed.connect(receivers["changed"])
    signals.comment_created.connect(receivers["comment"])
    yield log
    signals.issue_created.disconnect(receivers["created"])
    signals.issue_changed.disconnect(receivers["changed"])
    signals.comment_created.disconnect(receivers["comment"])


def _committed_status(issue_id):
    """The issue's status as another connection sees it (None: not
    committed yet)."""
    with model.meta.engine.connect() as connection:
        return connection.execute(sa.select(Issue.status).where(
            Issue.id == issue_id)).scalar()


def test_signals_are_sent_before_the_commit(world, received):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.stranger, "helpdesk_comment_create", issue_id=issue["id"],
            body="Me too")
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Done")
    (created, commented, changed) = received
    assert created[:2] == ("created", issue["id"])
    assert created[2]["actor"].name == world.reporter["name"]
    assert created[3] is None
    assert commented[2]["comment"].body == "Me too"
    assert commented[3] == "new"  # the issue exists, the comment is new
    assert changed[2]["changes"] == {"status": ("new", "resolved")}
    assert changed[2]["comment"].body == "Done"
    assert changed[3] == "new"  # not yet resolved for other connections


def test_what_subscribers_add_commits_with_the_change(world):
    def add_event(sender, issue, actor, **kwargs):
        model.Session.add(Event(issue_id=issue.id, kind="noted"))
    signals.issue_created.connect(add_event)
    try:
        issue = factories.Issue(user=world.reporter,
                                dataset_id=world.public["id"])
    finally:
        signals.issue_created.disconnect(add_event)
    model.Session.remove()
    assert model.Session.query(Event).filter(
        Event.issue_id == issue["id"], Event.kind == "noted").count() == 1


def test_a_failing_subscriber_leaves_nothing_behind(world):
    def fail(sender, **kwargs):
        raise RuntimeError("subscriber failed")
    signals.issue_created.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    finally:
        signals.issue_created.disconnect(fail)
    model.Session.rollback()
    assert model.Session.query(Issue).count() == 0




def test_search_takes_several_organizations(world):
    elsewhere = factories.Dataset(owner_org=world.other_org["id"])
    ours = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    theirs = factories.Issue(user=world.reporter, dataset_id=elsewhere["id"])
    unrelated = factories.Dataset(owner_org=factories.Organization()["id"])
    factories.Issue(user=world.reporter, dataset_id=unrelated["id"])

    found = call_as(
        world.sysadmin, "helpdesk_issue_search",
        organization_id=f"{world.org['id']},{world.other_org['name']}")

    assert {issue["id"] for issue in found["results"]} == {
        ours["id"], theirs["id"]}


def test_search_without_facets_answers_the_page_alone(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])

    found = call_as(world.sysadmin, "helpdesk_issue_search", facets=False)

    assert found == {"results": [
        call_as(world.sysadmin, "helpdesk_issue_show", id=issue["id"])]}


def test_a_report_held_for_moderation_is_never_public(world):
    held = tk.get_action("helpdesk_issue_create")(
        {"user": world.reporter["name"],
         "helpdesk_held_for_moderation": True},
        {"dataset_id": world.public["id"], "category": "question",
         "title": "Units?", "description": "Which units?"})

    assert call_as(None, "helpdesk_issue_search")["count"] == 0
    with pytest.raises(tk.ObjectNotFound):
        call_as(None, "helpdesk_issue_show", id=held["id"])
    assert call_as(world.editor, "helpdesk_issue_show",
                   id=held["id"])["hidden"]
