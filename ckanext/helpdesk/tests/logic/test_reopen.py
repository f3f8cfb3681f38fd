"""The reporter reopens their issue once it is resolved or marked won't
fix: it is new again, on the timeline, with an optional public reply."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _closed(world, status="resolved"):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status=status, comment="Done.")
    return issue


@pytest.mark.parametrize("status", ["resolved", "wont_fix"])
def test_the_reporter_reopens_a_closed_issue_and_the_timeline_says_so(
        world, status):
    issue = _closed(world, status)

    reopened = call_as(world.reporter, "helpdesk_issue_reopen", id=issue["id"],
                       comment="Still wrong in the 2022 file.")

    assert reopened["status"] == "new"
    assert reopened["is_open"] and reopened["resolved_at"] is None
    assert reopened["closing_comment"] is None
    timeline = call_as(None, "helpdesk_event_list", issue_id=issue["id"])
    assert timeline[-1] == dict(timeline[-1], kind="status",
                                old_value=status, new_value="new",
                                actor=world.reporter["name"])
    comments = call_as(None, "helpdesk_comment_list", issue_id=issue["id"])
    assert comments[-1]["body"] == "Still wrong in the 2022 file."
    assert not comments[-1]["internal"]


@pytest.mark.parametrize("who", ["stranger", "editor", "admin", "member"])
def test_only_the_reporter_may_reopen(world, who):
    issue = _closed(world)

    with pytest.raises(tk.NotAuthorized):
        call_as(getattr(world, who), "helpdesk_issue_reopen", id=issue["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(None, "helpdesk_issue_reopen", id=issue["id"])

    assert call_as(None, "helpdesk_issue_show", id=issue["id"])["status"] == (
        "resolved")


@pytest.mark.parametrize("status", ["new", "acknowledged", "in_progress",
                                    "duplicate"])
def test_an_open_issue_or_a_duplicate_is_not_reopened(world, status):
    original = factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    if status != "new":
        call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                status=status, **({"duplicate_of": original["id"]}
                                  if status == "duplicate" else {}))

    with pytest.raises(tk.ValidationError) as refused:
        call_as(world.reporter, "helpdesk_issue_reopen", id=issue["id"])

    assert list(refused.value.error_dict) == ["status"]
    assert call_as(None, "helpdesk_issue_show",
                   id=issue["id"])["status"] == status


def test_the_reporter_still_cannot_set_a_status_by_updating(world):
    issue = _closed(world)

    with pytest.raises(tk.NotAuthorized):
        call_as(world.reporter, "helpdesk_issue_update", id=issue["id"],
                status="in_progress")
