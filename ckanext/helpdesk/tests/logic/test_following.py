"""What a signed-in user follows (reported, subscribed to, +1'd) and the
"updated since you last looked" flag and count, which only what the user
may read can light."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def followed(user):
    return {issue["title"] for issue in call_as(user, "helpdesk_issue_search",
                                                following=True)["results"]}


def unread_count(user):
    return call_as(user, "helpdesk_unread_count")["count"]


def test_following_lists_what_the_user_reported_subscribed_to_or_voted_on(
        world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="Reported")
    subscribed = factories.Issue(user=world.editor,
                                 dataset_id=world.public["id"],
                                 title="Subscribed")
    voted = factories.Issue(user=world.editor, dataset_id=world.public["id"],
                            title="Voted")
    factories.Issue(user=world.editor, dataset_id=world.public["id"],
                    title="Someone else's")
    call_as(world.reporter, "helpdesk_issue_subscribe", id=subscribed["id"])
    call_as(world.reporter, "helpdesk_issue_vote", id=voted["id"])

    assert followed(world.reporter) == {"Reported", "Subscribed", "Voted"}


def test_a_reply_by_someone_else_is_unread_until_the_user_looks(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    assert unread_count(world.reporter) == 0

    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="We are on it.")
    shown = call_as(world.reporter, "helpdesk_issue_show", id=issue["id"])
    assert shown["unread"] is True
    assert unread_count(world.reporter) == 1

    call_as(world.reporter, "helpdesk_issue_seen", id=issue["id"])
    assert call_as(world.reporter, "helpdesk_issue_show",
                   id=issue["id"])["unread"] is False
    assert unread_count(world.reporter) == 0


def test_each_issue_is_read_against_its_own_last_look(world):
    """With several issues seen, each is compared with when the user last
    looked at that one (a busy portal's case, found under load)."""
    issues = [factories.Issue(user=world.reporter,
                              dataset_id=world.public["id"], title=f"Stop {n}")
              for n in range(3)]
    for issue in issues:
        call_as(world.reporter, "helpdesk_issue_seen", id=issue["id"])
    call_as(world.editor, "helpdesk_comment_create", issue_id=issues[1]["id"],
            body="Fixed the name.")

    assert unread_count(world.reporter) == 1
    flags = {issue["title"]: issue["unread"] for issue in call_as(
        world.reporter, "helpdesk_issue_search", following=True)["results"]}
    assert flags == {"Stop 0": False, "Stop 1": True, "Stop 2": False}


def test_a_status_change_is_unread_but_the_users_own_words_are_not(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.reporter, "helpdesk_comment_create", issue_id=issue["id"],
            body="Any news?")
    assert unread_count(world.reporter) == 0

    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    assert unread_count(world.reporter) == 1
    unread = call_as(world.reporter, "helpdesk_issue_search", following=True,
                     unread=True)["results"]
    assert [found["id"] for found in unread] == [issue["id"]]


def test_an_internal_note_does_not_light_the_marker_of_an_outsider(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.reporter, "helpdesk_issue_seen", id=issue["id"])
    call_as(world.member, "helpdesk_issue_subscribe", id=issue["id"])
    call_as(world.member, "helpdesk_issue_seen", id=issue["id"])

    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="Internal: ask the supplier", internal=True)

    assert unread_count(world.reporter) == 0
    assert unread_count(world.member) == 1  # members read internal notes


def test_hiding_a_comment_shows_nothing_new_to_the_reporter(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Buy cheap watches")
    call_as(world.reporter, "helpdesk_issue_seen", id=issue["id"])

    call_as(world.editor, "helpdesk_comment_hide", id=comment["id"])

    assert unread_count(world.reporter) == 0


def test_a_hidden_issue_leaves_the_followers_list_and_count(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Soon hidden")
    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="Reply")
    call_as(world.stranger, "helpdesk_issue_vote", id=issue["id"])
    assert unread_count(world.stranger) == 1

    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])

    assert followed(world.stranger) == set()
    assert unread_count(world.stranger) == 0


def test_an_issue_of_a_dataset_made_private_leaves_the_reporters_list(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="On a public dataset")
    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="Reply")
    call_as(world.sysadmin, "package_patch", id=world.public["id"],
            private=True)

    assert followed(world.reporter) == set()
    assert unread_count(world.reporter) == 0


def test_visitors_follow_nothing_and_have_no_count(world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"])

    assert call_as(None, "helpdesk_issue_search",
                   following=True)["results"] == []
    with pytest.raises(tk.NotAuthorized):
        call_as(None, "helpdesk_unread_count")
