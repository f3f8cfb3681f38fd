"""Response targets: working days counted by hand across weekends, each
organization's own target or the portal's default, and past target as
"no first public response and now past the report plus the target"."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import targets
from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = datetime.timezone.utc


def _at(day, hour=10):
    """A moment of December 2026 (the 7th is a Monday), UTC."""
    return datetime.datetime(2026, 12, day, hour, tzinfo=UTC)


def _plus(moment, days):
    return model.Session.execute(sa.select(
        targets.add_working_days(moment, days))).scalar()


@pytest.mark.parametrize("moment, days, expected", [
    (_at(7), 0, _at(7)),                  # Monday, nothing to add
    (_at(7), 1, _at(8)),                  # Monday -> Tuesday
    (_at(7), 4, _at(11)),                 # Monday -> Friday
    (_at(7), 5, _at(14)),                 # a week: next Monday
    (_at(10), 1, _at(11)),                # Thursday -> Friday
    (_at(10), 2, _at(14)),                # Thursday -> Monday
    (_at(11), 1, _at(14)),                # Friday -> Monday
    (_at(11), 3, _at(16)),                # Friday -> Wednesday
    (_at(11), 10, _at(25)),               # Friday, two weeks
    (_at(9), 12, _at(25)),                # Wednesday -> Friday 2 weeks on
    (_at(12), 1, _at(15, 0)),             # Saturday counts from Monday 0:00
    (_at(13, 23), 3, _at(17, 0)),         # Sunday late: Monday 0:00 + 3
    (_at(12), 0, _at(14, 0)),             # Saturday, due Monday morning
    (_at(11, 23), 1, _at(14, 23)),        # Friday 23:00 -> Monday 23:00
])
def test_working_days_skip_the_weekend(clean_db, moment, days, expected):
    assert _plus(moment, days) == expected


def test_add_working_days_reads_the_moment_in_utc(clean_db):
    # Friday 23:30 UTC is already Saturday in Berlin: UTC decides.
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    friday_late = datetime.datetime(2026, 12, 12, 0, 30, tzinfo=berlin)
    assert _plus(friday_late, 1) == datetime.datetime(
        2026, 12, 14, 23, 30, tzinfo=UTC)


def test_each_organization_has_its_own_target_or_the_default(world):
    targets.set_target(world.org["id"], 5)
    model.Session.commit()

    assert targets.response_targets(
        [world.org["id"], world.other_org["id"]]) == {
        world.org["id"]: 5, world.other_org["id"]: 3}
    assert targets.response_targets([]) == {}


@pytest.mark.ckan_config("ckanext.helpdesk.response_target_days", "7")
def test_the_default_target_is_the_declared_option(world):
    assert targets.response_targets([world.org["id"]]) == {
        world.org["id"]: 7}


def _reported_at(issue, moment):
    model.Session.execute(sa.update(Issue).where(
        Issue.id == issue["id"]).values(created=moment))
    model.Session.commit()


def _past_target_ids(now):
    statement = visibility.join_dataset(
        sa.select(Issue.id).select_from(Issue)).where(
        targets.past_target(now))
    return set(model.Session.execute(statement).scalars())


def test_past_target_means_no_public_response_by_the_working_day_due(world):
    """Reported on Thursday the 10th at 10:00, target 3 working days: due
    Tuesday the 15th at 10:00, whatever the weekend between."""
    targets.set_target(world.org["id"], 3)
    model.Session.commit()
    waiting, answered, internal_only = (
        factories.Issue(user=world.reporter, dataset_id=world.public["id"])
        for _ in range(3))
    for issue in (waiting, answered, internal_only):
        _reported_at(issue, _at(10))
    call_as(world.editor, "helpdesk_comment_create", issue_id=answered["id"],
            body="Looking into it.")
    call_as(world.editor, "helpdesk_comment_create",
            issue_id=internal_only["id"], body="Ask Ann.", internal=True)

    assert _past_target_ids(_at(15, 9)) == set()
    assert _past_target_ids(_at(15, 11)) == {waiting["id"],
                                             internal_only["id"]}


def test_past_target_follows_the_organization_that_owns_the_dataset_now(
        world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    _reported_at(issue, _at(7))  # Monday
    targets.set_target(world.org["id"], 10)
    targets.set_target(world.other_org["id"], 1)
    model.Session.commit()
    assert _past_target_ids(_at(9)) == set()

    call_as(world.sysadmin, "package_patch", id=world.public["id"],
            owner_org=world.other_org["id"])

    assert _past_target_ids(_at(9)) == {issue["id"]}
