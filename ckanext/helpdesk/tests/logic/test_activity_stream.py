"""Help desk events in CKAN's activity streams (ckanext/activity): public
ones appear in the dataset's, organization's, actor's and followers'
streams, through CKAN's own actions and pages; nothing about a private
dataset, a hidden issue or an internal note appears to anyone; and
without the plugin the help desk works and writes no activity."""
import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import activity
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

WITH_ACTIVITY = pytest.mark.ckan_config("ckan.plugins", "helpdesk activity")
HELPDESK_TYPES = set(activity.ACTIVITY_TYPES)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """The help desk's tables, and ckanext/activity's with its plugin
    (CKAN 2.10 keeps the activity table among its own)."""
    reset_db()
    migrate_db_for("helpdesk")
    if plugins.plugin_loaded("activity") and tk.check_ckan_version("2.11"):
        migrate_db_for("activity")


def helpdesk_items(stream):
    """(activity type, issue title) of the help desk's items of a
    stream."""
    return [(item["activity_type"], item["data"]["issue"]["title"])
            for item in stream if item["activity_type"] in HELPDESK_TYPES]


def dataset_stream(world, dataset, user=None):
    return helpdesk_items(call_as(user, "package_activity_list",
                                  id=dataset["id"]))


def organization_stream(world, user=None):
    return helpdesk_items(call_as(user, "organization_activity_list",
                                  id=world.org["id"]))


def user_stream(actor, user=None):
    return helpdesk_items(call_as(user, "user_activity_list", id=actor["id"]))


def dashboard(user):
    return helpdesk_items(call_as(user, "dashboard_activity_list"))


def everything(world):
    """Every help desk activity, as the sysadmin sees the streams."""
    return (dataset_stream(world, world.public, world.sysadmin)
            + dataset_stream(world, world.private, world.sysadmin)
            + organization_stream(world, world.sysadmin))


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_reported_status_changed_and_resolved_appear_in_every_stream(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Totals are wrong")
    call_as(world.stranger, "follow_dataset", id=world.public["id"])
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved")

    expected = [(activity.RESOLVED, "Totals are wrong"),
                (activity.STATUS_CHANGED, "Totals are wrong"),
                (activity.REPORTED, "Totals are wrong")]
    assert dataset_stream(world, world.public) == expected
    assert organization_stream(world) == expected
    assert dashboard(world.stranger) == expected
    assert user_stream(world.reporter) == expected[2:]
    assert user_stream(world.editor) == expected[:2]


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_a_data_request_appears_in_the_organization_stream_and_its_followers(
        world):
    call_as(world.stranger, "follow_group", id=world.org["id"])
    factories.Issue(user=world.reporter, organization_id=world.org["id"],
                    category="data-request", title="Bus timetables")

    assert organization_stream(world) == [
        (activity.DATA_REQUESTED, "Bus timetables")]
    assert dashboard(world.stranger) == [
        (activity.DATA_REQUESTED, "Bus timetables")]


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_nothing_is_written_about_an_issue_on_a_private_dataset(world):
    issue = factories.Issue(user=world.member, dataset_id=world.private["id"],
                            title="Secret")
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved")

    assert everything(world) == []
    assert user_stream(world.member, world.stranger) == []


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
@pytest.mark.parametrize("make_private", [
    lambda world: call_as(world.editor, "package_patch", id=world.public["id"],
                          private=True),
    lambda world: call_as(world.admin, "bulk_update_private",
                          org_id=world.org["id"],
                          datasets=[world.public["id"]]),
    lambda world: call_as(world.editor, "package_delete",
                          id=world.public["name"]),
    lambda world: call_as(world.sysadmin, "dataset_purge",
                          id=world.public["name"]),
], ids=["made private", "bulk private", "deleted", "purged"])
def test_the_issues_of_a_dataset_no_longer_public_leave_every_stream(
        world, make_private):
    call_as(world.stranger, "follow_dataset", id=world.public["id"])
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="Once public")
    assert dashboard(world.stranger) != []

    make_private(world)

    assert dashboard(world.stranger) == []
    assert user_stream(world.reporter, world.stranger) == []
    assert organization_stream(world, world.sysadmin) == []


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_a_hidden_issue_leaves_every_stream_and_comes_back_when_shown(world):
    call_as(world.stranger, "follow_dataset", id=world.public["id"])
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Spam, spam")
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")

    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    assert dashboard(world.stranger) == []
    assert user_stream(world.reporter) == []
    assert user_stream(world.editor) == []
    assert everything(world) == []

    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"], hidden=False)
    assert dashboard(world.stranger) == [(activity.REPORTED, "Spam, spam")]


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
@pytest.mark.ckan_config("ckanext.helpdesk.moderation.hold_first_post", True)
def test_a_report_held_for_moderation_appears_only_once_let_through(world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="First post")
    assert everything(world) == []

    held = call_as(world.admin, "helpdesk_abuse_report_list")[0]
    call_as(world.admin, "helpdesk_abuse_report_resolve", id=held["id"],
            action="show")

    assert dataset_stream(world, world.public) == [
        (activity.REPORTED, "First post")]


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_a_deleted_issue_leaves_every_stream(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Deleted")

    call_as(world.sysadmin, "helpdesk_issue_delete", id=issue["id"])

    assert everything(world) == []
    assert user_stream(world.reporter) == []


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_comments_and_internal_notes_are_never_in_a_stream(world):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                            title="Wrong totals")
    call_as(world.editor, "helpdesk_comment_create", issue_id=issue["id"],
            body="Internal: the supplier lied", internal=True)
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Fixed in the new release")

    streams = call_as(world.sysadmin, "package_activity_list",
                      id=world.public["id"])
    assert "supplier" not in str(streams)
    assert "new release" not in str(streams)
    assert [kind for kind, _title in dataset_stream(world, world.public)] \
        == [activity.RESOLVED, activity.REPORTED]


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_an_anonymous_report_writes_no_activity(world):
    call_as(None, "helpdesk_issue_create", dataset_id=world.public["id"],
            category="question", title="Which year?",
            description="The year is missing.", reporter_name="Ada",
            reporter_email="ada@example.org")

    assert everything(world) == []


@pytest.mark.usefixtures("with_plugins")
@WITH_ACTIVITY
def test_the_pages_show_public_events_and_never_hidden_ones(app, world):
    call_as(world.stranger, "follow_dataset", id=world.public["id"])
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="Shown <b>title</b>")
    hidden = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"],
                             title="Hidden title")
    call_as(world.editor, "helpdesk_issue_hide", id=hidden["id"])
    factories.Issue(user=world.member, dataset_id=world.private["id"],
                    title="Private title")
    stranger = {"Authorization": tk.get_action("api_token_create")(
        {"ignore_auth": True}, {"user": world.stranger["name"],
                                "name": "t"})["token"]}

    pages = [app.get(f"/dataset/activity/{world.public['name']}").body,
             app.get(f"/organization/activity/{world.org['name']}").body,
             app.get(f"/user/activity/{world.reporter['name']}").body,
             app.get(f"/user/activity/{world.member['name']}").body,
             app.get("/dashboard/", headers=stranger).body]

    for page in pages[:3] + pages[4:]:
        assert "reported the issue" in page
        assert "Shown &lt;b&gt;title&lt;/b&gt;" in page
    for page in pages:
        assert "Hidden title" not in page
        assert "Private title" not in page


@pytest.mark.usefixtures("with_plugins")
def test_without_the_activity_plugin_the_help_desk_writes_no_activity(
        world):
    assert not plugins.plugin_loaded("activity")
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    call_as(world.editor, "helpdesk_issue_hide", id=issue["id"])
    call_as(world.editor, "package_patch", id=world.public["id"], private=True)
    call_as(world.sysadmin, "helpdesk_issue_delete", id=issue["id"])

    assert call_as(world.sysadmin, "helpdesk_issue_search")["count"] == 0
    # The table is there when an earlier test had the plugin.
    if sa.inspect(model.meta.engine).has_table("activity"):
        assert model.Session.execute(sa.text(
            "SELECT count(*) FROM activity "
            "WHERE activity_type LIKE 'helpdesk%'")).scalar() == 0
