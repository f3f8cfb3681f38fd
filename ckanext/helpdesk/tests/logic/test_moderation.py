"""Moderation without a moderator asking: what enough distinct people
report as abusive is hidden until a moderator decides, a new account's
first post waits for a moderator (when the operator wants it), and each
organization's admins moderate the reports about its own issues only."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic.moderation import FIRST_POST
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _abuse(world, user, issue, **extra):
    return call_as(getattr(world, user), "helpdesk_abuse_report_create",
                   issue_id=issue["id"], reason="Spam", **extra)


def _public(issue):
    """Whether a visitor sees the issue."""
    try:
        call_as(None, "helpdesk_issue_show", id=issue["id"])
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _public_comments(issue):
    return [c["body"] for c in
            call_as(None, "helpdesk_comment_list", issue_id=issue["id"])]


def test_an_issue_reported_by_three_distinct_people_is_hidden_until_moderated(  # noqa: E501
        world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    for user in ("stranger", "stranger", "member"):  # one person twice
        _abuse(world, user, issue)
    assert _public(issue)

    _abuse(world, "outsider", issue)

    assert not _public(issue)
    assert call_as(world.admin, "helpdesk_issue_show",
                   id=issue["id"])["hidden"]
    reports = call_as(world.admin, "helpdesk_abuse_report_list")
    assert len(reports) == 4
    # Showing it again closes every report about it.
    call_as(world.admin, "helpdesk_abuse_report_resolve",
            id=reports[0]["id"], action="show")
    assert _public(issue)
    assert call_as(world.admin, "helpdesk_abuse_report_list") == []


def test_a_comment_reported_by_three_distinct_people_is_hidden(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    comment = call_as(world.stranger, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Buy cheap pills")
    for user in ("member", "reporter"):
        _abuse(world, user, issue, comment_id=comment["id"])
    assert _public_comments(issue) == ["Buy cheap pills"]

    _abuse(world, "outsider", issue, comment_id=comment["id"])

    assert _public_comments(issue) == []
    assert _public(issue)  # the issue itself stays


@pytest.mark.ckan_config("ckanext.helpdesk.moderation.hold_first_post", True)
def test_a_new_accounts_first_post_is_held_until_a_moderator_shows_it(
        world):
    newcomer = factories.User()
    world.newcomer = newcomer

    held = factories.Issue(user=world.newcomer, dataset_id=world.public["id"])

    assert held["hidden"] is True  # the author is told
    assert not _public(held)
    [queued] = call_as(world.admin, "helpdesk_abuse_report_list")
    assert queued["issue_id"] == held["id"]
    assert queued["reason"] == FIRST_POST
    # Held too until then: their comment elsewhere.
    other = factories.Issue(user=world.member, dataset_id=world.public["id"])
    comment = call_as(newcomer, "helpdesk_comment_create",
                      issue_id=other["id"], body="First words")
    assert comment["hidden"] is True
    assert _public_comments(other) == []

    call_as(world.admin, "helpdesk_abuse_report_resolve", id=queued["id"],
            action="show")

    assert _public(held)
    assert not factories.Issue(user=world.newcomer,
                               dataset_id=world.public["id"])["hidden"]
    # The organization's own people are never held.
    assert not factories.Issue(user=world.member,
                               dataset_id=world.public["id"])["hidden"]


def test_organization_admins_moderate_the_reports_about_their_own_organization_only(  # noqa: E501
        world):
    ours = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                           title="Ours")
    theirs_dataset = factories.Dataset(owner_org=world.other_org["id"])
    theirs = factories.Issue(user=world.reporter,
                             dataset_id=theirs_dataset["id"], title="Theirs")
    ours_report = _abuse(world, "stranger", ours)
    theirs_report = _abuse(world, "stranger", theirs)

    assert [r["issue_title"] for r in call_as(
        world.admin, "helpdesk_abuse_report_list")] == ["Ours"]
    assert [r["issue_title"] for r in call_as(
        world.outsider, "helpdesk_abuse_report_list")] == ["Theirs"]
    assert len(call_as(world.sysadmin, "helpdesk_abuse_report_list")) == 2
    for user in ("editor", "member", "stranger"):
        with pytest.raises(tk.NotAuthorized):
            call_as(getattr(world, user), "helpdesk_abuse_report_list")
    with pytest.raises(tk.NotAuthorized):
        call_as(world.admin, "helpdesk_abuse_report_resolve",
                id=theirs_report["id"], action="hide")

    call_as(world.admin, "helpdesk_abuse_report_resolve",
            id=ours_report["id"], action="hide")

    assert not _public(ours)
    assert _public(theirs)
