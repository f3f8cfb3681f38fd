"""The statistics pages: figures readable without JavaScript, only what
the viewer may see, a bad window or sort answered 400 naming it, the
organization table sorted by the query string, and the issue lists
linking to them."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def desks():
    """Three organizations: Busy Borough (an editor, a member, a public
    and a private dataset, three issues, one answered), Quiet Quarter (one
    issue) and Empty Estate (none)."""
    editor, member, visitor = make_user(), make_user(), make_user()
    busy = factories.Organization(title="Busy Borough", users=[
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"}])
    quiet = factories.Organization(title="Quiet Quarter")
    factories.Organization(title="Empty Estate")  # no issue at all
    public = factories.Dataset(owner_org=busy["id"], title="Bus stops")
    private = factories.Dataset(owner_org=busy["id"], private=True,
                                title="Secret depots")
    quiet_data = factories.Dataset(owner_org=quiet["id"], title="Benches")
    answered = factories.Issue(user=visitor, dataset_id=public["id"])
    call_as(editor, "helpdesk_comment_create", issue_id=answered["id"],
            body="Looking into it.")
    factories.Issue(user=visitor, dataset_id=public["id"], category="question",
                    title="Which stops?")
    factories.Issue(user=member, dataset_id=private["id"],
                    title="Depot 3 is missing")
    factories.Issue(user=visitor, dataset_id=quiet_data["id"])
    return {"editor": editor, "member": member, "busy": busy,
            "quiet": quiet}


def test_the_portal_page_shows_charts_tables_and_figures_to_visitors(
        app, desks):
    page = app.get("/issues/stats").body

    assert "Help desk statistics" in page
    assert page.count('<svg class="helpdesk-chart"') == 2
    assert 'role="img"' in page and "<figcaption" in page
    assert "Opened per week, by category: 3 in all" in page
    assert "Bus stops</a>: 2 open" in page
    assert "Benches</a>: 1 open" in page
    # No script or remote resource is needed to read the figures.
    assert "<canvas" not in page
    # An organization without issues has its row, with nothing to time.
    empty = page[page.index("Empty Estate"):]
    assert empty.index("–") < empty.index("</tr>")


def test_a_private_datasets_issues_show_for_the_organizations_members_only(
        app, make_visitor, desks):
    org = desks["busy"]["name"]
    anonymous = app.get(f"/organization/{org}/issues/stats").body
    # Signed in through the login form: CKAN 2.12 ignores REMOTE_USER.
    member = make_visitor().sign_in(desks["member"]).get(
        f"/organization/{org}/issues/stats")

    assert "Secret depots" not in anonymous
    assert "Opened per week, by category: 2 in all" in anonymous
    assert "Secret depots</a>: 1 open" in member.body
    assert "Opened per week, by category: 3 in all" in member.body


@pytest.mark.parametrize("path", [
    "/issues/stats?window=7", "/issues/stats?window=lots",
    "/organization/{org}/issues/stats?window=-30"])
def test_a_window_other_than_30_90_or_365_days_is_a_400_naming_it(
        app, desks, path):
    response = app.get(path.format(org=desks["busy"]["name"]),
                       status=400)

    # "window: Value must be one of [30, 90, 365]", "window: Invalid
    # integer".
    assert "window: " in response.body


def test_an_unknown_sort_is_a_400_naming_it(app, desks):
    response = app.get("/issues/stats?sort=colour", status=400)

    assert "sort: Value must be one of" in response.body


def test_the_organization_table_sorts_by_the_query_string(app, desks):
    def order(query):
        page = app.get(f"/issues/stats{query}").body
        table = page[page.index("helpdesk-stats-organizations"):]
        return table.index("Busy Borough") < table.index("Quiet Quarter")

    assert order("") is True  # by name
    assert order("?sort=-name") is False
    assert order("?sort=-reported") is True  # Busy: 2 public issues
    assert order("?sort=reported") is False
    sorted_page = app.get("/issues/stats?sort=-reported&window=365").body
    assert 'aria-sort="descending"' in sorted_page
    # The heading links keep the window and turn the order round.
    assert "/issues/stats?window=365&amp;sort=reported" in sorted_page


def test_the_issue_lists_link_to_their_statistics(app, desks):
    org = desks["busy"]["name"]

    assert 'href="/issues/stats"' in app.get("/issues").body
    assert f'href="/organization/{org}/issues/stats"' in app.get(
        f"/organization/{org}/issues").body


@pytest.mark.ckan_config("ckanext.helpdesk.stats_cache", 600)
def test_visitors_figures_come_from_redis_members_see_them_live(app, desks):
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{tk.config['ckan.site_id']}:helpdesk:"
                               "anonymous_stats:*"):
        redis.delete(key)
    busy = desks["busy"]["name"]
    assert "Opened per week, by category: 3 in all" in app.get(
        "/issues/stats").body
    factories.Issue(user=desks["member"], dataset_id=factories.Dataset(
                            owner_org=desks["quiet"]["id"])["id"],
                    title="Bench 9 is gone")

    # Visitors: the figures of the last ten minutes, one computation.
    assert "Opened per week, by category: 3 in all" in app.get(
        "/issues/stats").body
    # A member of Busy Borough, signed in: live, their private issue too.
    member = app.get("/issues/stats", headers={
        "Authorization": factories.APIToken(
            user=desks["member"]["name"])["token"]}).body
    assert "Opened per week, by category: 5 in all" in member
    # Another window is another computation, live at first.
    assert "Opened per week, by category: 4 in all" in app.get(
        "/issues/stats?window=30").body
    assert busy in app.get(f"/organization/{busy}/issues/stats").body
