"""What the help desk does not tell: an issue (or comment) the caller may
not see answers exactly as a missing one, in every action and over HTTP;
moderation stays off the public timeline; a hidden comment is not edited
by its author; nobody creates an issue already hidden through the API."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.logic.test_action_api_http import api

MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def invisible(world):
    """Issues a signed-in stranger may not see: one on a private dataset,
    one hidden on a public dataset; each with a comment."""
    issues = {"private": factories.Issue(user=world.editor,
                                         dataset_id=world.private["id"]),
              "hidden": factories.Issue(user=world.reporter,
                                        dataset_id=world.public["id"])}
    call_as(world.editor, "helpdesk_issue_hide", id=issues["hidden"]["id"])
    for issue in issues.values():
        issue["comment_id"] = call_as(world.editor, "helpdesk_comment_create",
                                      issue_id=issue["id"], body="Noted")["id"]
    return issues


def _answer(action, user, **data):
    """The exception an action raises (type and message), or "answered"."""
    try:
        call_as(user, action, **data)
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError) as error:
        return type(error), str(error)
    return "answered"


# Every action taking an issue, with what it needs besides the issue.
ISSUE_ACTIONS = [
    ("helpdesk_issue_show", "id", {}),
    ("helpdesk_issue_update", "id", {"title": "Mine now"}),
    ("helpdesk_issue_reopen", "id", {}),
    ("helpdesk_issue_hide", "id", {}),
    ("helpdesk_comment_create", "issue_id", {"body": "Hello?"}),
    ("helpdesk_comment_list", "issue_id", {}),
    ("helpdesk_event_list", "issue_id", {}),
    ("helpdesk_issue_vote", "id", {}),
    ("helpdesk_issue_unvote", "id", {}),
    ("helpdesk_issue_subscribe", "id", {}),
    ("helpdesk_issue_unsubscribe", "id", {}),
    ("helpdesk_issue_seen", "id", {}),
    ("helpdesk_abuse_report_create", "issue_id", {"reason": "Spam"}),
]


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("kind", ["private", "hidden"])
@pytest.mark.parametrize("action, key, extra", ISSUE_ACTIONS)
def test_an_invisible_issue_is_not_found_exactly_like_a_missing_one(
        world, invisible, kind, action, key, extra):
    hidden_answer = _answer(action, world.stranger,
                            **{key: invisible[kind]["id"]}, **extra)
    missing_answer = _answer(action, world.stranger, **{key: MISSING},
                             **extra)
    assert hidden_answer == missing_answer == (tk.ObjectNotFound,
                                               "Issue not found")


@pytest.mark.usefixtures("with_plugins")
def test_an_invisible_issue_by_number_is_not_found_like_a_missing_one(
        world, invisible):
    for user in (None, world.stranger):
        assert _answer("helpdesk_issue_show", user,
                       dataset_id=world.private["name"], number=1) \
            == _answer("helpdesk_issue_show", user,
                       dataset_id=world.private["name"], number=99) \
            == (tk.ObjectNotFound, "Issue not found")


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("action", ["helpdesk_issue_show",
                                    "helpdesk_comment_list",
                                    "helpdesk_event_list"])
def test_a_visitor_finds_no_invisible_issue_either(world, invisible, action):
    key = "id" if action == "helpdesk_issue_show" else "issue_id"
    assert _answer(action, None, **{key: invisible["private"]["id"]}) \
        == _answer(action, None, **{key: MISSING}) \
        == (tk.ObjectNotFound, "Issue not found")


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("kind", ["private", "hidden"])
@pytest.mark.parametrize("action, extra", [
    ("helpdesk_comment_update", {"body": "Edited"}),
    ("helpdesk_comment_hide", {}),
])
def test_a_comment_of_an_invisible_issue_is_not_found_like_a_missing_one(
        world, invisible, kind, action, extra):
    assert _answer(action, world.stranger, id=invisible[kind]["comment_id"],
                   **extra) \
        == _answer(action, world.stranger, id=MISSING, **extra) \
        == (tk.ObjectNotFound, "Comment not found")


@pytest.mark.usefixtures("with_plugins")
def test_an_internal_note_is_not_found_by_those_outside_the_organization(
        world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    note = call_as(world.editor, "helpdesk_comment_create",
                   issue_id=issue["id"], body="Ask the vendor", internal=True)
    assert _answer("helpdesk_comment_hide", world.stranger, id=note["id"]) \
        == (tk.ObjectNotFound, "Comment not found")
    # A member reads it, so may be told they may not hide it.
    assert _answer("helpdesk_comment_hide", world.member,
                   id=note["id"])[0] is tk.NotAuthorized


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("flag", [True, "yes", "maybe"])
def test_the_reporter_cannot_post_an_internal_note_with_a_change(
        world, flag):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Wrong totals")
    answer = _answer("helpdesk_issue_update", world.reporter, id=issue["id"],
                     title="Wrong totals in 2021", comment="Psst",
                     internal=flag)
    assert answer[0] is tk.NotAuthorized
    assert "internal" in answer[1]
    comments = call_as(world.editor, "helpdesk_comment_list",
                       issue_id=issue["id"])
    assert [c["body"] for c in comments] == []
    assert call_as(world.editor, "helpdesk_issue_show",
                   id=issue["id"])["title"] == "Wrong totals"


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.parametrize("user", [None, "stranger"])
def test_reporting_on_a_private_dataset_answers_as_on_a_missing_one(
        world, user):
    caller = user and getattr(world, user)
    data = dict(category="question", title="Units?", description="Which?",
                reporter_name="Ann", reporter_email="ann@example.org")
    on_private = _answer("helpdesk_issue_create", caller,
                         dataset_id=world.private["id"], **data)
    on_missing = _answer("helpdesk_issue_create", caller,
                         dataset_id="no-such-dataset", **data)
    assert on_private == on_missing
    assert on_private[0] is tk.ValidationError
    assert "Dataset not found" in on_private[1]


def test_the_action_api_answers_404_alike_for_invisible_and_missing_issues(
        app, world, invisible):
    for action, key in (("helpdesk_issue_show", "id"),
                        ("helpdesk_comment_list", "issue_id"),
                        ("helpdesk_event_list", "issue_id"),
                        ("helpdesk_issue_vote", "id"),
                        ("helpdesk_issue_update", "id")):
        answers = [api(app, action, world.stranger, status=404,
                       **{key: issue_id})["error"]
                   for issue_id in (invisible["private"]["id"],
                                    invisible["hidden"]["id"], MISSING)]
        assert answers[0] == answers[1] == answers[2] == {
            "__type": "Not Found Error", "message": "Not found: Issue not found"}
    on_private, on_missing = (
        api(app, "helpdesk_issue_create", world.stranger, status=409,
            dataset_id=dataset_id, category="question", title="Units?",
            description="Which units?")
        for dataset_id in (world.private["id"], "no-such-dataset"))
    assert on_private["error"] == on_missing["error"]
    assert on_private["error"]["dataset_id"] == ["Dataset not found"]


# -- the timeline ------------------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
def test_the_public_timeline_shows_no_hiding_of_comments_notes_or_issue(
        world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    spam = call_as(world.stranger, "helpdesk_comment_create",
                   issue_id=issue["id"], body="Buy pills")
    note = call_as(world.editor, "helpdesk_comment_create",
                   issue_id=issue["id"], body="Vendor says March",
                   internal=True)
    for comment in (spam, note):
        call_as(world.editor, "helpdesk_comment_hide", id=comment["id"])
    call_as(world.editor, "helpdesk_comment_hide", id=spam["id"], hidden=False)
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"], hidden=False)
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")

    def timeline(viewer):
        return [(event["kind"], event["new_value"]) for event in call_as(
            viewer, "helpdesk_event_list", issue_id=issue["id"])]
    for viewer in (None, world.stranger, world.reporter, world.member,
                   world.outsider):
        assert timeline(viewer) == [("status", "acknowledged")]
    for viewer in (world.editor, world.admin, world.sysadmin):
        assert timeline(viewer) == [
            ("comment_hidden", spam["id"]), ("comment_hidden", note["id"]),
            ("comment_shown", spam["id"]), ("hidden", "true"),
            ("hidden", "false"), ("status", "acknowledged")]


# -- hidden comments ---------------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
def test_the_author_of_a_hidden_comment_cannot_edit_it(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Buy pills")
    call_as(world.editor, "helpdesk_comment_hide", id=comment["id"])

    with pytest.raises(tk.ObjectNotFound):
        call_as(world.stranger, "helpdesk_comment_update", id=comment["id"],
                body="Buy more pills")

    listed = call_as(world.editor, "helpdesk_comment_list",
                     issue_id=issue["id"])
    assert [c["body"] for c in listed] == ["Buy pills"]


def test_editing_a_hidden_comment_over_http_is_404_not_500(app, world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Buy pills")
    call_as(world.editor, "helpdesk_comment_hide", id=comment["id"])

    refused = api(app, "helpdesk_comment_update", world.stranger, status=404,
                  id=comment["id"], body="Buy more pills")

    assert refused["error"]["message"] == "Not found: Comment not found"
    assert helpers.call_action("helpdesk_comment_list", issue_id=issue["id"]
                               )[0]["body"] == "Buy pills"


# -- issues created hidden ---------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("user", ["reporter", "editor", "sysadmin"])
def test_no_caller_creates_an_issue_already_hidden(world, user):
    with pytest.raises(tk.ValidationError) as raised:
        factories.Issue(user=getattr(world, user),
                        dataset_id=world.public["id"], hidden=True)
    assert "hidden" in raised.value.error_dict
    assert helpers.call_action("helpdesk_issue_search")["count"] == 0
    # Asking for a public one is fine.
    assert factories.Issue(user=getattr(world, user),
                           dataset_id=world.public["id"], hidden="false")[
        "hidden"] is False


def test_the_action_api_refuses_a_hidden_new_issue(app, world):
    refused = api(app, "helpdesk_issue_create", world.reporter, status=409,
                  dataset_id=world.public["id"], category="question",
                  title="Units?", description="Which units?", hidden=True)
    assert "hidden" in refused["error"]
    assert helpers.call_action("helpdesk_issue_search")["count"] == 0

