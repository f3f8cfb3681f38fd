"""Targets where people see them: the queue marks the open issues with no
public answer past their organization's target and filters to them; the
dataset's help desk gives the organization's typical response time and,
beside it, its target (the report confirmation and the issue page: see
test_expectations.py)."""
import datetime
import re

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _reported_days_ago(issue, days):
    model.Session.execute(sa.update(Issue).where(
        Issue.id == issue["id"]).values(
        created=datetime.datetime.now(datetime.timezone.utc)
        - datetime.timedelta(days=days)))
    model.Session.commit()


def _rows(page):
    return {re.search(r'class="helpdesk-title"[^>]*>([^<]+)<', row).group(1):
            row for row in re.findall(r'<tr class="helpdesk-issue.*?</tr>',
                                      page, re.S)}


def _set_target(portal, days):
    tk.get_action("helpdesk_organization_settings_update")(
        {"ignore_auth": True},
        {"organization_id": portal["org"]["id"],
         "response_target_days": days})


@pytest.fixture
def aged(portal):
    """Three open issues: unanswered for 30 days, answered after 30 days,
    reported today."""
    old = factories.Issue(user=portal["reporter"],
                          dataset_id=portal["dataset"]["id"],
                          title="Old and unanswered")
    answered = factories.Issue(user=portal["reporter"],
                               dataset_id=portal["dataset"]["id"],
                               title="Old but answered")
    call_as(portal["editor"], "helpdesk_comment_create",
            issue_id=answered["id"], body="Looking into it.")
    for issue in (old, answered):
        _reported_days_ago(issue, 30)
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Fresh")
    return portal


def test_the_queue_marks_issues_past_target_and_filters_to_them(
        visitor, aged):
    visitor.sign_in(aged["editor"])

    rows = _rows(visitor.get("/dashboard/issues").body)

    assert "Past target" in rows["Old and unanswered"]
    assert "Past target" not in rows["Old but answered"]
    assert "Past target" not in rows["Fresh"]

    only = _rows(visitor.get("/dashboard/issues?past_target=1").body)
    assert list(only) == ["Old and unanswered"]
    organization = _rows(visitor.get(
        f"/organization/{aged['org']['name']}/issues?past_target=1").body)
    assert list(organization) == ["Old and unanswered"]


def test_an_organizations_own_target_decides_what_is_past_it(visitor, aged):
    _set_target(aged, 60)  # 30 days ago is some 22 working days
    visitor.sign_in(aged["editor"])

    rows = _rows(visitor.get("/dashboard/issues").body)

    assert not any("Past target" in row for row in rows.values())
    assert _rows(visitor.get("/dashboard/issues?past_target=1").body) == {}


def test_a_bad_past_target_filter_is_a_400_naming_it(visitor, aged):
    visitor.sign_in(aged["editor"])

    refused = visitor.get("/dashboard/issues?past_target=maybe")

    assert refused.status_code == 400
    assert "past_target" in refused.body


def test_the_dataset_help_desk_gives_the_typical_response_and_the_target(
        visitor, portal):
    for _ in range(3):
        issue = factories.Issue(user=portal["reporter"],
                                dataset_id=portal["dataset"]["id"])
        call_as(portal["editor"], "helpdesk_comment_create",
                issue_id=issue["id"], body="Thanks, looking.")
    _set_target(portal, 2)

    page = visitor.get(f"/dataset/{portal['dataset']['name']}").body

    section = re.search(r'<section class="helpdesk-dataset.*?</section>',
                        page, re.S).group(0)
    assert ("Typically the first public answer comes within 1 minute "
            "(median of the last 90 days).") in section
    assert ("The publisher aims to answer publicly within 2 working days."
            in section)


@pytest.mark.ckan_config("ckanext.helpdesk.stats_cache", 600)
def test_the_typical_response_is_computed_once_for_everyone_while_cached(
        app, visitor, portal):
    redis = connect_to_redis()
    redis.delete(f"{tk.config['ckan.site_id']}:helpdesk:response:"
                 f"{portal['org']['id']}")
    url = f"/dataset/{portal['dataset']['name']}"
    assert "Typically" not in visitor.get(url).body  # nothing answered yet

    for _ in range(3):
        issue = factories.Issue(user=portal["reporter"],
                                dataset_id=portal["dataset"]["id"])
        call_as(portal["editor"], "helpdesk_comment_create",
                issue_id=issue["id"], body="Thanks, looking.")

    # The same figure for a visitor and a signed-in user, until it expires.
    assert "Typically" not in visitor.get(url).body
    token = factories.APIToken(user=portal["reporter"]["name"])["token"]
    assert "Typically" not in app.get(
        url, headers={"Authorization": token}).body
    # A new target is said at once.
    _set_target(portal, 4)
    assert "within 4 working days" in visitor.get(url).body
