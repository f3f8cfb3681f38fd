"""Weekly figures (logic/weekly.py) on a fixed clock: weeks from Monday
00:00 UTC, opened in the week reported, closed in the week closed (closed
issues only), only what the viewer may see and never hidden issues (the
help desk's public work), oldest week first."""
import datetime

import pytest

import ckan.model as model

from ckanext.helpdesk.logic.weekly import weekly_figures
from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.visibility import Viewer

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = datetime.timezone.utc
# A Wednesday; its week starts on Monday 2026-03-09.
NOW = datetime.datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def _at(issue, created, resolved_at=None, status=None):
    values = {"created": created, "resolved_at": resolved_at}
    if status:
        values["status"] = status
    model.Session.query(Issue).filter(Issue.id == issue["id"]).update(values)
    model.Session.commit()


@pytest.fixture
def timeline(world):
    # Sunday 23:59 UTC belongs to the week before (Monday 2026-03-02).
    sunday = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"],
                             category="question")
    _at(sunday, datetime.datetime(2026, 3, 8, 23, 59, tzinfo=UTC))
    # Reported the week of 2026-02-23, closed this week.
    closed = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"])
    _at(closed, datetime.datetime(2026, 2, 24, 9, tzinfo=UTC),
        datetime.datetime(2026, 3, 9, 0, 0, tzinfo=UTC), "resolved")
    # Resolved then reopened: open again, so not counted as closed.
    reopened = factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])
    _at(reopened, datetime.datetime(2026, 3, 10, tzinfo=UTC),
        datetime.datetime(2026, 3, 10, 1, tzinfo=UTC), "new")
    private = factories.Issue(user=world.member,
                              dataset_id=world.private["id"])
    _at(private, datetime.datetime(2026, 3, 9, 8, tzinfo=UTC))
    hidden = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"])
    _at(hidden, datetime.datetime(2026, 3, 9, 8, tzinfo=UTC))
    call_as(world.editor, "helpdesk_issue_hide", id=hidden["id"])
    # Older than the window of 2 weeks; and after the frozen now.
    _at(factories.Issue(user=world.reporter, dataset_id=world.public["id"]),
        datetime.datetime(2026, 1, 5, tzinfo=UTC))
    _at(factories.Issue(user=world.reporter, dataset_id=world.public["id"]),
        datetime.datetime(2026, 3, 12, tzinfo=UTC))
    return world


def _row(week, org, category, opened, closed):
    return {"week": datetime.date.fromisoformat(week),
            "organization_id": org["id"], "category": category,
            "opened": opened, "closed": closed}


def test_weekly_figures_count_what_a_visitor_sees_by_monday_utc(timeline):
    org = timeline.org

    assert weekly_figures(Viewer(), weeks=3, now=NOW) == [
        _row("2026-02-23", org, "data-problem", 1, 0),
        _row("2026-03-02", org, "question", 1, 0),
        _row("2026-03-09", org, "data-problem", 1, 1)]


def test_weekly_figures_add_private_issues_for_their_managers_never_hidden(
        timeline):
    editor = Viewer(timeline.editor["id"])
    org = timeline.org

    assert weekly_figures(editor, organization_id=org["id"], weeks=2,
                          now=NOW) == [
        _row("2026-03-02", org, "question", 1, 0),
        _row("2026-03-09", org, "data-problem", 2, 1)]
    assert weekly_figures(Viewer(), organization_id=timeline.other_org["id"],
                          now=NOW) == []
