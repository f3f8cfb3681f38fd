"""An organization's typical time to a first public response: the median
of the last 90 days, from public content only, in one statement."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import Comment, Event, Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.logic.test_query_budget import \
    counting_statements

pytestmark = pytest.mark.usefixtures("with_plugins")

HOUR = 3600


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _reported(issue, days_ago):
    """Move the issue's report `days_ago` days back; returns that moment."""
    moment = _now() - datetime.timedelta(days=days_ago)
    model.Session.execute(sa.update(Issue).where(
        Issue.id == issue["id"]).values(created=moment))
    model.Session.commit()
    return moment


def _at(table, row_id, moment):
    model.Session.execute(sa.update(table).where(table.id == row_id).values(
        created=moment))
    model.Session.commit()


def _comment(issue, user, hours_after, reported, **extra):
    comment = call_as(user, "helpdesk_comment_create", issue_id=issue["id"],
                      body="On it.", **extra)
    _at(Comment, comment["id"], reported + datetime.timedelta(
        hours=hours_after))
    return comment


def _status(issue, user, hours_after, reported, status):
    call_as(user, "helpdesk_issue_update", id=issue["id"], status=status)
    event_id = model.Session.execute(sa.select(Event.id).where(
        Event.issue_id == issue["id"], Event.kind == "status").order_by(
        Event.created.desc())).scalar()
    _at(Event, event_id, reported + datetime.timedelta(hours=hours_after))


@pytest.fixture
def answered(world):
    """Three public issues answered after 2, 10 and 30 hours, and issues
    that must not count: answered before the window, on a private
    dataset, only by an internal note or by visitors, never answered."""
    first = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    reported = _reported(first, 5)
    _comment(first, world.editor, 2, reported)

    second = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"])
    reported = _reported(second, 10)
    _status(second, world.admin, 10, reported, "acknowledged")
    _comment(second, world.editor, 20, reported)

    # A data request counts as well.
    third = factories.Issue(user=world.reporter,
                            organization_id=world.org["id"])
    reported = _reported(third, 20)
    _comment(third, world.reporter, 0.5, reported)
    _comment(third, world.stranger, 0.6, reported)
    _comment(third, world.editor, 1, reported, internal=True)
    _comment(third, world.editor, 30, reported)

    old = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    _comment(old, world.editor, 1, _reported(old, 100))
    private = factories.Issue(user=world.member,
                              dataset_id=world.private["id"])
    _comment(private, world.editor, 0.01, _reported(private, 3))
    hidden_reply = factories.Issue(user=world.reporter,
                                   dataset_id=world.public["id"])
    reply = _comment(hidden_reply, world.editor, 0.01,
                     _reported(hidden_reply, 3))
    call_as(world.admin, "helpdesk_comment_hide", id=reply["id"])
    factories.Issue(user=world.reporter,
                    dataset_id=world.public["id"])  # not answered yet
    return world


def test_the_typical_response_is_the_median_of_public_first_answers_in_90_days(
        answered):
    for caller in (None, answered.stranger, answered.editor,
                   answered.sysadmin):
        figure = call_as(caller, "helpdesk_response_time",
                         organization_id=answered.org["name"])

        assert figure == {"median_seconds": pytest.approx(10 * HOUR),
                          "answered": 3, "days": 90}


def test_an_organization_that_never_answered_has_no_typical_response(
        world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"])

    figure = call_as(None, "helpdesk_response_time",
                     organization_id=world.other_org["id"])

    assert figure == {"median_seconds": None, "answered": 0, "days": 90}


def test_the_median_is_computed_in_one_statement(answered):
    with counting_statements() as statements:
        call_as(None, "helpdesk_response_time",
                organization_id=answered.org["id"])

    computing = [s for s in statements if "percentile_cont" in s]
    assert len(computing) == 1
    # The other one finds the organization by name or id.
    assert len(statements) <= 2, statements


def test_an_unknown_organization_is_not_found(world):
    with pytest.raises(tk.ObjectNotFound):
        call_as(None, "helpdesk_response_time", organization_id="no-such-org")


def test_a_sysadmins_reply_counts_as_the_publishers(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    reported = _reported(issue, 1)
    _comment(issue, factories.Sysadmin(), 4, reported)

    figure = call_as(None, "helpdesk_response_time",
                     organization_id=world.org["id"])

    assert figure["median_seconds"] == pytest.approx(4 * HOUR)
