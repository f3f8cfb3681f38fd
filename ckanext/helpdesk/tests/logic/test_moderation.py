"""Moderation without a moderator asking: what enough distinct people
report as abusive is hidden until a moderator decides, a new account's
first post waits for a moderator (when the operator wants it), and each
organization's admins moderate the reports about its own issues only."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.logic.moderation import FIRST_POST
from ckanext.helpdesk.tests.logic.conftest import call, report

pytestmark = pytest.mark.usefixtures("with_plugins")


def _abuse(world, user, issue, **extra):
    return call("helpdesk_abuse_report_create", getattr(world, user),
                issue_id=issue["id"], reason="Spam", **extra)


def _public(issue):
    """Whether a visitor sees the issue."""
    try:
        call("helpdesk_issue_show", None, id=issue["id"])
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _public_comments(issue):
    return [c["body"] for c in
            call("helpdesk_comment_list", None, issue_id=issue["id"])]


def test_an_issue_reported_by_three_distinct_people_is_hidden_until_moderated(  # noqa: E501
        world):
    issue = report(world, world.public)
    for user in ("stranger", "stranger", "member"):  # one person twice
        _abuse(world, user, issue)
    assert _public(issue)

    _abuse(world, "outsider", issue)

    assert not _public(issue)
    assert call("helpdesk_issue_show", world.admin, id=issue["id"])["hidden"]
    reports = call("helpdesk_abuse_report_list", world.admin)
    assert len(reports) == 4
    # Showing it again closes every report about it.
    call("helpdesk_abuse_report_resolve", world.admin, id=reports[0]["id"],
         action="show")
    assert _public(issue)
    assert call("helpdesk_abuse_report_list", world.admin) == []


def test_a_comment_reported_by_three_distinct_people_is_hidden(world):
    issue = report(world, world.public)
    comment = call("helpdesk_comment_create", world.stranger,
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

    held = report(world, world.public, user="newcomer")

    assert held["hidden"] is True  # the author is told
    assert not _public(held)
    [queued] = call("helpdesk_abuse_report_list", world.admin)
    assert queued["issue_id"] == held["id"]
    assert queued["reason"] == FIRST_POST
    # Held too until then: their comment elsewhere.
    other = report(world, world.public, user="member")
    comment = call("helpdesk_comment_create", newcomer, issue_id=other["id"],
                   body="First words")
    assert comment["hidden"] is True
    assert _public_comments(other) == []

    call("helpdesk_abuse_report_resolve", world.admin, id=queued["id"],
         action="show")

    assert _public(held)
    assert not report(world, world.public, user="newcomer")["hidden"]
    # The organization's own people are never held.
    assert not report(world, world.public, user="member")["hidden"]


def test_organization_admins_moderate_the_reports_about_their_own_organization_only(  # noqa: E501
        world):
    ours = report(world, world.public, title="Ours")
    theirs_dataset = factories.Dataset(owner_org=world.other_org["id"])
    theirs = report(world, theirs_dataset, title="Theirs")
    ours_report = _abuse(world, "stranger", ours)
    theirs_report = _abuse(world, "stranger", theirs)

    assert [r["issue_title"] for r in call(
        "helpdesk_abuse_report_list", world.admin)] == ["Ours"]
    assert [r["issue_title"] for r in call(
        "helpdesk_abuse_report_list", world.outsider)] == ["Theirs"]
    assert len(call("helpdesk_abuse_report_list", world.sysadmin)) == 2
    for user in ("editor", "member", "stranger"):
        with pytest.raises(tk.NotAuthorized):
            call("helpdesk_abuse_report_list", getattr(world, user))
    with pytest.raises(tk.NotAuthorized):
        call("helpdesk_abuse_report_resolve", world.admin,
             id=theirs_report["id"], action="hide")

    call("helpdesk_abuse_report_resolve", world.admin, id=ours_report["id"],
         action="hide")

    assert not _public(ours)
    assert _public(theirs)
