"""Bounded work per request: every text field has a maximum length and
refuses control characters (NUL made PostgreSQL answer 500, the others
broke the Atom feeds), every list parameter is capped with its repeated
values collapsed; each refusal is a ValidationError naming the field."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic import schema
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.logic.test_query_budget import \
    counting_statements

pytestmark = pytest.mark.usefixtures("with_plugins")


def _refused(field, action, user, **data):
    with pytest.raises(tk.ValidationError) as raised:
        call_as(user, action, **data)
    assert field in raised.value.error_dict, raised.value.error_dict
    return " ".join(map(str, raised.value.error_dict[field]))


# (field, action, maximum length, multi-line)
TEXT_FIELDS = [
    ("title", "helpdesk_issue_create", schema.TITLE_LENGTH, False),
    ("description", "helpdesk_issue_create", schema.TEXT_LENGTH, True),
    ("body", "helpdesk_comment_create", schema.TEXT_LENGTH, True),
    ("reason", "helpdesk_abuse_report_create", schema.REASON_LENGTH, True),
    ("comment", "helpdesk_issue_update", schema.TEXT_LENGTH, True),
    ("q", "helpdesk_issue_search", schema.QUERY_LENGTH, False),
]


def _data_for(world, action, issue, field, value):
    base = {
        "helpdesk_issue_create": {"dataset_id": world.public["id"],
                                  "category": "data-problem",
                                  "title": "Wrong totals",
                                  "description": "Off by one."},
        "helpdesk_comment_create": {"issue_id": issue["id"], "body": "x"},
        "helpdesk_abuse_report_create": {"issue_id": issue["id"],
                                         "reason": "x"},
        "helpdesk_issue_update": {"id": issue["id"]},
        "helpdesk_issue_search": {},
    }[action]
    return dict(base, **{field: value})


def _user_for(world, action):
    return world.editor if action == "helpdesk_issue_update" \
        else world.reporter


@pytest.mark.parametrize("field,action,length,multiline", TEXT_FIELDS)
def test_every_text_field_refuses_text_longer_than_its_maximum(
        world, field, action, length, multiline):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    user = _user_for(world, action)

    message = _refused(field, action, user, **_data_for(
        world, action, issue, field, "a" * (length + 1)))

    assert f"at most {length} characters" in message
    call_as(user, action, **_data_for(world, action, issue, field,
                                      "a" * length))


@pytest.mark.parametrize("field,action,length,multiline", TEXT_FIELDS)
def test_every_text_field_refuses_nul_and_control_characters(
        world, field, action, length, multiline):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    user = _user_for(world, action)

    for character in ("\x00", "\x01", "\x0b", "\x1b", "\ud800"):
        message = _refused(field, action, user, **_data_for(
            world, action, issue, field, f"before{character}after"))
        assert "control characters" in message


@pytest.mark.parametrize("field,action,length,multiline", TEXT_FIELDS)
def test_tab_newline_and_return_are_text_in_multi_line_fields_only(
        world, field, action, length, multiline):
    issue = factories.Issue(user=world.reporter, dataset_id=world.public["id"])
    user = _user_for(world, action)
    data = _data_for(world, action, issue, field, "line one\r\n\tline two")

    if multiline:
        call_as(user, action, **data)
    else:
        assert "control characters" in _refused(field, action, user, **data)


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
@pytest.mark.parametrize("field,value,message", [
    ("reporter_name", "Ann\x00", "control characters"),
    ("reporter_name", "A" * (schema.NAME_LENGTH + 1), "at most 200"),
    ("reporter_email", "a" * 250 + "@example.org", "at most 254"),
])
def test_anonymous_reporters_name_and_email_are_bounded(world, field, value,
                                                        message):
    data = {"dataset_id": world.public["id"], "category": "data-problem",
            "title": "Wrong", "reporter_name": "Ann",
            "reporter_email": "ann@example.org", field: value}

    assert message in _refused(field, "helpdesk_issue_create", None, **data)


@pytest.mark.parametrize("field,value", [
    ("dataset_id", "x" * 101), ("dataset_id", "a\x00b"),
    ("resource_id", "r\x00"), ("organization_id", ["a", "b"]),
])
def test_ids_are_checked_before_they_reach_a_query(world, field, value):
    data = {"category": "data-problem", "title": "Wrong",
            "dataset_id": world.public["id"], field: value}

    _refused(field, "helpdesk_issue_create", world.reporter, **data)


@pytest.mark.parametrize("key", ["id", "dataset_id"])
def test_an_issue_key_with_nul_or_of_the_wrong_type_is_refused_naming_it(
        world, key):
    for value in ("a\x00b", ["a"], {"a": 1}, 12):
        data = {key: value, "number": 1}
        _refused(key, "helpdesk_issue_show", world.reporter, **data)


def test_a_huge_issue_number_is_refused_naming_number(world):
    assert "at most 2147483647" in _refused(
        "number", "helpdesk_issue_show", world.reporter,
        dataset_id=world.public["id"], number=10 ** 30)


# -- list parameters ---------------------------------------------------------

def test_search_refuses_ten_thousand_organizations_unread_naming_the_filter(
        world):
    ids = [f"org-{n}" for n in range(10_000)]

    with counting_statements() as statements:
        message = _refused("organization_id", "helpdesk_issue_search", None,
                           organization_id=ids)

    assert "At most 1000 values" in message
    assert not [statement for statement in statements
                if '"group"' in statement or "helpdesk_issue" in statement]
    assert _refused("organization_id", "helpdesk_issue_search", None,
                    organization_id=",".join(ids))


def test_search_by_a_thousand_organizations_costs_what_one_does(world):
    """The thousand names are looked up together, not one by one."""
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="Found")
    ids = [world.org["name"]] + [f"org-{n}" for n in range(999)]

    with counting_statements() as one:
        call_as(None, "helpdesk_issue_search", organization_id=ids[:1])
    with counting_statements() as thousand:
        found = call_as(None, "helpdesk_issue_search", organization_id=ids)

    assert len(thousand) == len(one)
    assert [issue["title"] for issue in found["results"]] == ["Found"]


def test_repeated_values_of_a_list_count_once(world):
    factories.Issue(user=world.reporter, dataset_id=world.public["id"],
                    title="Found")

    found = call_as(None, "helpdesk_issue_search",
                    organization_id=[world.org["id"]] * 5000,
                    status=",".join(["open"] * 5000))

    assert found["count"] == 1


def test_counts_refuse_more_than_a_thousand_datasets_naming_dataset_ids(
        world):
    ids = [f"dataset-{n}" for n in range(1001)]

    assert "At most 1000 values" in _refused(
        "dataset_ids", "helpdesk_issue_counts", None, dataset_ids=ids)


def test_search_by_several_issue_ids_answers_the_visible_ones(world):
    public = factories.Issue(user=world.reporter,
                             dataset_id=world.public["id"], title="Public")
    private = factories.Issue(user=world.editor,
                              dataset_id=world.private["id"], title="Private")

    found = call_as(None, "helpdesk_issue_search",
                    id=[public["id"], private["id"], "missing"])

    assert [issue["title"] for issue in found["results"]] == ["Public"]
