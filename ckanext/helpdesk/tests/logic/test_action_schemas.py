"""Every action validates every key it reads in its own schema, so callers
that skip the auth functions (sysadmins, trusted ``ignore_auth`` code) get
a ValidationError naming the missing or ill-typed key, never a 500.

One world (plugin loaded once) serves the module: no case changes it.
"""
import types

import pytest

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.helpdesk.tests.helpers import call_as


@pytest.fixture(scope="module")
def world(reset_db, migrate_db_for):
    plugins.load_all()
    reset_db()
    migrate_db_for("helpdesk")
    sysadmin, reporter = factories.Sysadmin(), factories.User()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    issue = call_as(reporter, "helpdesk_issue_create",
                    dataset_id=dataset["id"], category="question",
                    title="Units?", description="Which units?")
    comment = call_as(reporter, "helpdesk_comment_create",
                      issue_id=issue["id"], body="Any news?")
    abuse = call_as(reporter, "helpdesk_abuse_report_create",
                    issue_id=issue["id"], reason="Spam")
    yield types.SimpleNamespace(sysadmin=sysadmin, org=org, dataset=dataset,
                                issue=issue["id"], comment=comment["id"],
                                abuse=abuse["id"])
    plugins.unload_all()


@pytest.fixture(autouse=True)
def fresh_session():
    """A statement PostgreSQL refused must not poison the next case."""
    yield
    model.Session.rollback()
    model.Session.remove()


# (action, the data as a function of the world, the field named)
ISSUE = {"id": lambda w: w.issue}
CASES = [
    ("helpdesk_issue_show", {}, "id"),
    ("helpdesk_issue_show", {"id": ["an", "id"]}, "id"),
    ("helpdesk_issue_show", {"id": 42}, "id"),
    ("helpdesk_issue_show", {"dataset_id": lambda w: w.dataset["id"],
                             "number": "first"}, "number"),
    ("helpdesk_issue_show", {"dataset_id": lambda w: w.dataset["id"],
                             "number": 10 ** 12}, "number"),
    ("helpdesk_issue_show", {"dataset_id": {"name": "x"}, "number": 1},
     "dataset_id"),
    ("helpdesk_issue_show", {"organization_id": [1], "number": 1},
     "organization_id"),
    ("helpdesk_issue_update", {}, "id"),
    ("helpdesk_issue_update", {"id": [1]}, "id"),
    ("helpdesk_issue_update", dict(ISSUE, status="closed-ish"), "status"),
    ("helpdesk_issue_hide", {}, "id"),
    ("helpdesk_issue_hide", dict(ISSUE, hidden=[True]), "hidden"),
    ("helpdesk_issue_hide", dict(ISSUE, hidden=7), "hidden"),
    ("helpdesk_issue_delete", {}, "id"),
    ("helpdesk_issue_delete", {"id": {"a": 1}}, "id"),
    ("helpdesk_issue_create", {"dataset_id": lambda w: w.dataset["id"],
                               "category": "question", "title": "Units?",
                               "description": "Which units?",
                               "hidden": [1]}, "hidden"),
    ("helpdesk_issue_create", {"dataset_id": ["x"], "category": "question",
                               "title": "Units?",
                               "description": "Which units?"}, "dataset_id"),
    ("helpdesk_issue_search", {"facets": [1]}, "facets"),
    ("helpdesk_issue_search", {"limit": [1]}, "limit"),
    ("helpdesk_issue_counts", {}, "dataset_ids"),
    ("helpdesk_issue_counts", {"dataset_ids": [1, 2]}, "dataset_ids"),
    ("helpdesk_comment_create", {"body": "Hello"}, "issue_id"),
    ("helpdesk_comment_create", {"issue_id": [1], "body": "Hello"},
     "issue_id"),
    ("helpdesk_comment_create", {"issue_id": lambda w: w.issue,
                                 "body": "Hello", "internal": 1.5},
     "internal"),
    ("helpdesk_comment_create", {"issue_id": lambda w: w.issue,
                                 "body": "Hello", "internal": "perhaps"},
     "internal"),
    ("helpdesk_comment_update", {"body": "Edited"}, "id"),
    ("helpdesk_comment_update", {"id": [1], "body": "Edited"}, "id"),
    ("helpdesk_comment_update", {"id": lambda w: w.comment, "body": ""},
     "body"),
    ("helpdesk_comment_hide", {}, "id"),
    ("helpdesk_comment_hide", {"id": lambda w: w.comment, "hidden": [1]},
     "hidden"),
    ("helpdesk_comment_list", {}, "issue_id"),
    ("helpdesk_comment_list", {"issue_id": 5}, "issue_id"),
    ("helpdesk_event_list", {}, "issue_id"),
    ("helpdesk_event_list", {"issue_id": [5]}, "issue_id"),
    ("helpdesk_issue_vote", {}, "id"),
    ("helpdesk_issue_unvote", {"id": [1]}, "id"),
    ("helpdesk_issue_subscribe", {}, "id"),
    ("helpdesk_issue_unsubscribe", {"id": {"a": 1}}, "id"),
    ("helpdesk_abuse_report_create", {"reason": "Spam"}, "issue_id"),
    ("helpdesk_abuse_report_create", {"issue_id": lambda w: w.issue,
                                      "reason": ""}, "reason"),
    ("helpdesk_abuse_report_resolve", {}, "id"),
    ("helpdesk_abuse_report_resolve", {"id": [1]}, "id"),
    ("helpdesk_abuse_report_resolve", {"id": lambda w: w.abuse,
                                       "action": "burn"}, "action"),
    ("helpdesk_assignee_list", {}, "organization_id"),
    ("helpdesk_assignee_list", {"organization_id": ["x"]},
     "organization_id"),
    ("helpdesk_notification_preferences_show", {"id": ["x"]}, "id"),
    ("helpdesk_notification_preferences_update", {}, "email_notifications"),
    ("helpdesk_notification_preferences_update",
     {"email_notifications": [1]}, "email_notifications"),
]


def _data(world, template):
    return {key: value(world) if callable(value) else value
            for key, value in template.items()}


def _as_sysadmin(world, action, data):
    return call_as(world.sysadmin, action, **data)


def _ignoring_auth(world, action, data):
    """Trusted code: no auth function, no user (or the sysadmin for the
    notification preferences, which are a user's)."""
    context = {"ignore_auth": True}
    if action.startswith("helpdesk_notification"):
        context["user"] = world.sysadmin["name"]
    return tk.get_action(action)(context, data)


@pytest.mark.parametrize("caller", [_as_sysadmin, _ignoring_auth],
                         ids=["sysadmin", "ignore_auth"])
@pytest.mark.parametrize("action, template, field", CASES,
                         ids=[f"{action}-{field}-{index}" for index,
                              (action, _, field) in enumerate(CASES)])
def test_every_action_names_a_missing_or_ill_typed_key_without_auth(
        world, caller, action, template, field):
    with pytest.raises(tk.ValidationError) as raised:
        caller(world, action, _data(world, template))
    assert field in raised.value.error_dict, raised.value.error_dict


def test_assignee_list_for_a_sysadmin_without_organization_over_http(
        app, world):
    token = factories.APIToken(user=world.sysadmin["name"])["token"]
    answer = app.post("/api/3/action/helpdesk_assignee_list", json={},
                      headers={"Authorization": token}, status=409).json
    assert answer["error"]["organization_id"] == ["Missing value"]


@pytest.mark.parametrize("action", ["helpdesk_issue_vote",
                                    "helpdesk_issue_subscribe",
                                    "helpdesk_abuse_report_create"])
def test_trusted_code_without_a_user_is_refused_what_only_users_do(
        world, action):
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(action, id=world.issue, issue_id=world.issue,
                            reason="Spam")
