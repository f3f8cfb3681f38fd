"""The reporter reopens their issue once it is resolved or marked won't
fix: it is new again, on the timeline, with an optional public reply."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.logic.conftest import call, report

pytestmark = pytest.mark.usefixtures("with_plugins")


def _closed(world, status="resolved"):
    issue = report(world, world.public)
    call("helpdesk_issue_update", world.editor, id=issue["id"],
         status=status, comment="Done.")
    return issue


@pytest.mark.parametrize("status", ["resolved", "wont_fix"])
def test_the_reporter_reopens_a_closed_issue_and_the_timeline_says_so(
        world, status):
    issue = _closed(world, status)

    reopened = call("helpdesk_issue_reopen", world.reporter, id=issue["id"],
                    comment="Still wrong in the 2022 file.")

    assert reopened["status"] == "new"
    assert reopened["is_open"] and reopened["resolved_at"] is None
    assert reopened["closing_comment"] is None
    timeline = call("helpdesk_event_list", issue_id=issue["id"])
    assert timeline[-1] == dict(timeline[-1], kind="status",
                                old_value=status, new_value="new",
                                actor=world.reporter["name"])
    comments = call("helpdesk_comment_list", issue_id=issue["id"])
    assert comments[-1]["body"] == "Still wrong in the 2022 file."
    assert not comments[-1]["internal"]


@pytest.mark.parametrize("who", ["stranger", "editor", "admin", "member"])
def test_only_the_reporter_may_reopen(world, who):
    issue = _closed(world)

    with pytest.raises(tk.NotAuthorized):
        call("helpdesk_issue_reopen", getattr(world, who), id=issue["id"])
    with pytest.raises(tk.NotAuthorized):
        call("helpdesk_issue_reopen", None, id=issue["id"])

    assert call("helpdesk_issue_show", id=issue["id"])["status"] == (
        "resolved")


@pytest.mark.parametrize("status", ["new", "acknowledged", "in_progress",
                                    "duplicate"])
def test_an_open_issue_or_a_duplicate_is_not_reopened(world, status):
    original = report(world, world.public)
    issue = report(world, world.public)
    if status != "new":
        call("helpdesk_issue_update", world.editor, id=issue["id"],
             status=status, **({"duplicate_of": original["id"]}
                               if status == "duplicate" else {}))

    with pytest.raises(tk.ValidationError) as refused:
        call("helpdesk_issue_reopen", world.reporter, id=issue["id"])

    assert list(refused.value.error_dict) == ["status"]
    assert call("helpdesk_issue_show", id=issue["id"])["status"] == status


def test_the_reporter_still_cannot_set_a_status_by_updating(world):
    issue = _closed(world)

    with pytest.raises(tk.NotAuthorized):
        call("helpdesk_issue_update", world.reporter, id=issue["id"],
             status="in_progress")
