"""What a signed-in user follows (reported, subscribed to, +1'd) and the
"updated since you last looked" flag and count, which only what the user
may read can light."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.logic.conftest import call, report

pytestmark = pytest.mark.usefixtures("with_plugins")


def followed(user):
    return {issue["title"] for issue in call(
        "helpdesk_issue_search", user, following=True)["results"]}


def unread_count(user):
    return call("helpdesk_unread_count", user)["count"]


def test_following_lists_what_the_user_reported_subscribed_to_or_voted_on(
        world):
    report(world, world.public, title="Reported")
    subscribed = report(world, world.public, user="editor",
                        title="Subscribed")
    voted = report(world, world.public, user="editor", title="Voted")
    report(world, world.public, user="editor", title="Someone else's")
    call("helpdesk_issue_subscribe", world.reporter, id=subscribed["id"])
    call("helpdesk_issue_vote", world.reporter, id=voted["id"])

    assert followed(world.reporter) == {"Reported", "Subscribed", "Voted"}


def test_a_reply_by_someone_else_is_unread_until_the_user_looks(world):
    issue = report(world, world.public)
    assert unread_count(world.reporter) == 0

    call("helpdesk_comment_create", world.editor, issue_id=issue["id"],
         body="We are on it.")
    shown = call("helpdesk_issue_show", world.reporter, id=issue["id"])
    assert shown["unread"] is True
    assert unread_count(world.reporter) == 1

    call("helpdesk_issue_seen", world.reporter, id=issue["id"])
    assert call("helpdesk_issue_show", world.reporter,
                id=issue["id"])["unread"] is False
    assert unread_count(world.reporter) == 0


def test_each_issue_is_read_against_its_own_last_look(world):
    """With several issues seen, each is compared with when the user last
    looked at that one (a busy portal's case, found under load)."""
    issues = [report(world, world.public, title=f"Stop {n}")
              for n in range(3)]
    for issue in issues:
        call("helpdesk_issue_seen", world.reporter, id=issue["id"])
    call("helpdesk_comment_create", world.editor, issue_id=issues[1]["id"],
         body="Fixed the name.")

    assert unread_count(world.reporter) == 1
    flags = {issue["title"]: issue["unread"] for issue in call(
        "helpdesk_issue_search", world.reporter, following=True)["results"]}
    assert flags == {"Stop 0": False, "Stop 1": True, "Stop 2": False}


def test_a_status_change_is_unread_but_the_users_own_words_are_not(world):
    issue = report(world, world.public)
    call("helpdesk_comment_create", world.reporter, issue_id=issue["id"],
         body="Any news?")
    assert unread_count(world.reporter) == 0

    call("helpdesk_issue_update", world.editor, id=issue["id"],
         status="resolved")
    assert unread_count(world.reporter) == 1
    unread = call("helpdesk_issue_search", world.reporter, following=True,
                  unread=True)["results"]
    assert [found["id"] for found in unread] == [issue["id"]]


def test_an_internal_note_does_not_light_the_marker_of_an_outsider(world):
    issue = report(world, world.public)
    call("helpdesk_issue_seen", world.reporter, id=issue["id"])
    call("helpdesk_issue_subscribe", world.member, id=issue["id"])
    call("helpdesk_issue_seen", world.member, id=issue["id"])

    call("helpdesk_comment_create", world.editor, issue_id=issue["id"],
         body="Internal: ask the supplier", internal=True)

    assert unread_count(world.reporter) == 0
    assert unread_count(world.member) == 1  # members read internal notes


def test_hiding_a_comment_shows_nothing_new_to_the_reporter(world):
    issue = report(world, world.public)
    comment = call("helpdesk_comment_create", world.stranger,
                   issue_id=issue["id"], body="Buy cheap watches")
    call("helpdesk_issue_seen", world.reporter, id=issue["id"])

    call("helpdesk_comment_hide", world.editor, id=comment["id"])

    assert unread_count(world.reporter) == 0


def test_a_hidden_issue_leaves_the_followers_list_and_count(world):
    issue = report(world, world.public, title="Soon hidden")
    call("helpdesk_comment_create", world.editor, issue_id=issue["id"],
         body="Reply")
    call("helpdesk_issue_vote", world.stranger, id=issue["id"])
    assert unread_count(world.stranger) == 1

    call("helpdesk_issue_hide", world.editor, id=issue["id"])

    assert followed(world.stranger) == set()
    assert unread_count(world.stranger) == 0


def test_an_issue_of_a_dataset_made_private_leaves_the_reporters_list(world):
    issue = report(world, world.public, title="On a public dataset")
    call("helpdesk_comment_create", world.editor, issue_id=issue["id"],
         body="Reply")
    call("package_patch", world.sysadmin, id=world.public["id"],
         private=True)

    assert followed(world.reporter) == set()
    assert unread_count(world.reporter) == 0


def test_visitors_follow_nothing_and_have_no_count(world):
    report(world, world.public)

    assert call("helpdesk_issue_search", None,
                following=True)["results"] == []
    with pytest.raises(tk.NotAuthorized):
        call("helpdesk_unread_count", None)
