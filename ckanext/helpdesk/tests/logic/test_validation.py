"""Every bad input answers a ValidationError naming its field."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as

TOO_LONG_TITLE = "x" * 201
TOO_LONG_TEXT = "x" * 20001


def _create(world, **changes):
    data = {"dataset_id": world.public["id"], "category": "question",
            "title": "Units?", "description": "Which units?"}
    data.update(changes)
    return call_as(world.reporter, "helpdesk_issue_create",
                   **{k: v for k, v in data.items() if v is not None})


def assert_names(field, action):
    with pytest.raises(tk.ValidationError) as raised:
        action()
    assert field in raised.value.error_dict, raised.value.error_dict


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("field, changes", [
    ("category", {"category": "complaint"}),
    ("category", {"category": ""}),
    ("title", {"title": ""}),
    ("title", {"title": "   "}),
    ("title", {"title": TOO_LONG_TITLE}),
    ("description", {"description": TOO_LONG_TEXT}),
    ("dataset_id", {"dataset_id": "no-such-dataset"}),
    ("dataset_id", {"dataset_id": None}),
    ("organization_id", {"dataset_id": None,
                         "organization_id": "no-such-organization"}),
    ("resource_id", {"resource_id": "no-such-resource"}),
])
def test_create_names_the_bad_field(world, field, changes):
    assert_names(field, lambda: _create(world, **changes))


@pytest.mark.usefixtures("with_plugins")
def test_create_refuses_a_resource_of_another_dataset(world):
    elsewhere = factories.Resource(package_id=world.private["id"])
    assert_names("resource_id",
                 lambda: _create(world, resource_id=elsewhere["id"]))


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.parametrize("field, reporter", [
    ("reporter_name", {"reporter_email": "ann@example.org"}),
    ("reporter_email", {"reporter_name": "Ann"}),
    ("reporter_email", {"reporter_name": "Ann",
                        "reporter_email": "not-an-email"}),
    ("reporter_name", {"reporter_name": "x" * 201,
                       "reporter_email": "ann@example.org"}),
])
def test_anonymous_reporter_must_give_name_and_valid_email(
        world, field, reporter):
    assert_names(field, lambda: call_as(None, "helpdesk_issue_create",
                                        dataset_id=world.public["id"],
                                        category="question", title="Units?",
                                        description="Which units?",
                                        **reporter))


@pytest.fixture
def issue(world):
    return factories.Issue(user=world.reporter, dataset_id=world.public["id"])


def _update(world, issue, **changes):
    return call_as(world.editor, "helpdesk_issue_update", id=issue["id"],
                   **changes)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("field, changes", [
    ("status", {"status": "done"}),
    ("status", {"status": "new"}),  # already new
    ("duplicate_of", {"status": "duplicate"}),
    ("duplicate_of", {"duplicate_of": "no-such-issue"}),
    ("assignee", {"assignee": "no-such-user"}),
    ("title", {"title": ""}),
    ("title", {"title": TOO_LONG_TITLE}),
    ("description", {"description": TOO_LONG_TEXT}),
    ("comment", {"comment": TOO_LONG_TEXT}),
])
def test_update_names_the_bad_field(world, issue, field, changes):
    assert_names(field, lambda: _update(world, issue, **changes))


@pytest.mark.usefixtures("with_plugins")
def test_an_issue_cannot_duplicate_itself(world, issue):
    assert_names("duplicate_of",
                 lambda: _update(world, issue, duplicate_of=issue["id"]))


@pytest.mark.usefixtures("with_plugins")
def test_a_duplicate_must_be_of_an_issue_of_the_same_organization(
        world, issue):
    elsewhere = factories.Dataset(owner_org=world.other_org["id"])
    original = factories.Issue(user=world.reporter, dataset_id=elsewhere["id"])
    assert_names("duplicate_of",
                 lambda: _update(world, issue, duplicate_of=original["id"]))


@pytest.mark.usefixtures("with_plugins")
def test_only_a_duplicate_refers_to_an_original(world, issue):
    original = factories.Issue(user=world.reporter,
                               dataset_id=world.public["id"])
    assert_names("duplicate_of", lambda: _update(
        world, issue, status="resolved", duplicate_of=original["id"]))


@pytest.mark.usefixtures("with_plugins")
def test_the_assignee_must_be_a_member_of_the_organization(world, issue):
    assert_names("assignee",
                 lambda: _update(world, issue, assignee=world.outsider["name"]))


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("field, changes", [
    ("body", {"body": ""}),
    ("body", {"body": TOO_LONG_TEXT}),
])
def test_comment_names_the_bad_field(world, issue, field, changes):
    assert_names(field, lambda: call_as(world.reporter,
                                        "helpdesk_comment_create",
                                        issue_id=issue["id"], **changes))


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("field, changes", [
    ("sort", {"sort": "random"}),
    ("status", {"status": "open,sleeping"}),
    ("category", {"category": "complaint"}),
    ("limit", {"limit": "-1"}),
    ("offset", {"offset": "many"}),
    ("offset", {"offset": "99999999999999999999"}),  # past bigint
    ("created_after", {"created_after": "yesterday"}),
])
def test_search_names_the_bad_field(world, field, changes):
    assert_names(field, lambda: call_as(None, "helpdesk_issue_search",
                                        **changes))


@pytest.mark.usefixtures("with_plugins")
def test_counts_need_a_list_of_dataset_ids(world):
    assert_names("dataset_ids",
                 lambda: call_as(None, "helpdesk_issue_counts",
                                 dataset_ids={"a": 1}))
