"""The Action API documents itself as CKAN core's does: for every action
the plugin registers, CKAN's help_show (and the ``help`` link of every
Action API answer) returns a docstring with a ``:param:`` and a ``:type:``
for each key the action's schemas accept, none for a key they do not, and a
``:returns:``; README's Action API table names every action and no other.

Which schemas an action validates with is written down here (SCHEMAS) and
checked against the action's code, so neither a new schema key nor a new
schema an action starts using goes undocumented.
"""
import inspect
import pathlib
import re
import types
from urllib.parse import urlsplit

import pytest

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

import ckanext.helpdesk
from ckanext.helpdesk.federation import actions as federation_actions
from ckanext.helpdesk.logic import ACTIONS
from ckanext.helpdesk.logic import schema as s
from ckanext.helpdesk.notify import actions as notify_actions
from ckanext.helpdesk.webhooks import actions as webhook_actions

pytestmark = pytest.mark.usefixtures("with_plugins")

README = pathlib.Path(ckanext.helpdesk.__file__).parents[2] / "README.rst"
HELPDESK_ACTIONS = (ACTIONS + notify_actions.__all__
                    + webhook_actions.__all__ + federation_actions.__all__)

ISSUE = (s.issue_reference_schema,)
ISSUE_BY_ISSUE_ID = (s.issue_reference_schema, "issue_id")
COMMENT = (s.comment_reference_schema,)
ORGANIZATION = (s.organization_reference_schema,)
PREFERENCES = (notify_actions._preferences_schema,)
WEBHOOK = (webhook_actions.webhook_reference_schema,)
# Action -> the schemas it validates its data_dict with, each as (schema
# function, its arguments...): the lookup naming its object (logic/lookup.py,
# notify's target_user) and its own. A schema built per caller is listed
# with each variant (a visitor's and a signed-in user's): the action accepts
# the keys of either. notify's target_user validates the `id` of the
# preferences schema alone (see PARTIAL).
SCHEMAS = {
    "helpdesk_category_list": [],
    "helpdesk_issue_create": [(s.issue_create_schema, False),
                              (s.issue_create_schema, True)],
    "helpdesk_issue_show": [ISSUE],
    "helpdesk_issue_update": [ISSUE, (s.issue_update_schema,)],
    "helpdesk_issue_reopen": [ISSUE, (s.issue_reopen_schema,)],
    "helpdesk_issue_delete": [ISSUE],
    "helpdesk_issue_hide": [ISSUE, (s.hide_schema,)],
    "helpdesk_issue_search": [(s.issue_search_schema,)],
    "helpdesk_issue_counts": [(s.issue_counts_schema,)],
    "helpdesk_response_time": [ORGANIZATION],
    "helpdesk_stats": [ORGANIZATION, (s.stats_schema,)],
    "helpdesk_comment_create": [ISSUE_BY_ISSUE_ID,
                                (s.comment_create_schema, False),
                                (s.comment_create_schema, True)],
    "helpdesk_comment_update": [COMMENT, (s.comment_update_schema,)],
    "helpdesk_comment_hide": [COMMENT, (s.hide_schema,)],
    "helpdesk_comment_list": [ISSUE_BY_ISSUE_ID],
    "helpdesk_event_list": [ISSUE_BY_ISSUE_ID],
    "helpdesk_issue_vote": [ISSUE],
    "helpdesk_issue_unvote": [ISSUE],
    "helpdesk_issue_subscribe": [ISSUE],
    "helpdesk_issue_unsubscribe": [ISSUE],
    "helpdesk_issue_seen": [ISSUE],
    "helpdesk_unread_count": [],
    "helpdesk_abuse_report_create": [ISSUE_BY_ISSUE_ID,
                                     (s.abuse_report_create_schema,)],
    "helpdesk_abuse_report_list": [],
    "helpdesk_abuse_report_resolve": [COMMENT,
                                      (s.abuse_report_resolve_schema,)],
    "helpdesk_abuse_report_reopen": [COMMENT,
                                     (s.abuse_report_reopen_schema,)],
    "helpdesk_assignee_list": [ORGANIZATION],
    "helpdesk_organization_settings_show": [ORGANIZATION],
    "helpdesk_organization_settings_update": [
        ORGANIZATION, (s.organization_settings_update_schema,)],
    "helpdesk_notification_preferences_show": [PREFERENCES],
    "helpdesk_notification_preferences_update": [PREFERENCES],
    "helpdesk_webhook_create": [ORGANIZATION,
                                (webhook_actions.webhook_create_schema,)],
    "helpdesk_webhook_list": [ORGANIZATION],
    "helpdesk_webhook_delete": [WEBHOOK],
    "helpdesk_webhook_rotate_secret": [WEBHOOK],
    # Routes are named by their id alone, read by the actions themselves.
    "helpdesk_forward_route_list": [ORGANIZATION],
    "helpdesk_forward_route_create": [ORGANIZATION],
    "helpdesk_forward_route_services": [],
    "helpdesk_forward_route_update": [],
    "helpdesk_forward_route_delete": [],
    "helpdesk_forward_list": [ISSUE],
}
# Actions that validate only some keys of a schema they name: the keys.
PARTIAL = {"helpdesk_notification_preferences_show": {"id"}}
# Keys an action reads and checks itself, without a schema (an Open311
# route's fields are checked against the endpoint they name): documented
# all the same.
CHECKED_BY_HAND = {
    "helpdesk_forward_route_create": {"name", "base_url", "api_key",
                                      "jurisdiction_id"},
    "helpdesk_forward_route_update": {"id", "name", "api_key",
                                      "jurisdiction_id", "service_codes"},
    "helpdesk_forward_route_services": {"id"},
    "helpdesk_forward_route_delete": {"id"},
}
TYPES = {"string", "int", "bool", "list of strings", "dictionary",
         "list of dictionaries"}


def schema_keys(action_name):
    """The keys the action's schemas accept (not navl's "__after" and the
    like, which are no parameters)."""
    keys = set()
    for schema_function, *arguments in SCHEMAS[action_name]:
        keys.update(key for key in schema_function(*arguments)
                    if not key.startswith("__"))
    return (keys & PARTIAL.get(action_name, keys)) | CHECKED_BY_HAND.get(
        action_name, set())


def schemas_named_in_code(function, seen=None):
    """The names of the *_schema functions the function's code calls,
    itself or through the help desk's functions it calls (helpers, lookups),
    read from the compiled code: what the action validates with today."""
    seen = set() if seen is None else seen
    found = set()
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        codes.extend(const for const in code.co_consts
                     if isinstance(const, types.CodeType))
        for name in code.co_names:
            if name.endswith("_schema"):
                found.add(name)
            called = function.__globals__.get(name)
            if (inspect.isfunction(called) and called not in seen
                    and called.__module__.startswith("ckanext.helpdesk.")):
                seen.add(called)
                found |= schemas_named_in_code(called, seen)
    return found


def documented(docstring, field):
    """The names given to `:field name:` lines of a docstring."""
    return re.findall(rf"^\s*:{field} (\w+):", docstring or "", re.M)


def registered_actions():
    """The action functions the plugin gives CKAN, unwrapped."""
    return plugins.get_plugin("helpdesk").get_actions()


def help_of(action_name):
    return tk.get_action("help_show")({}, {"name": action_name})


def test_this_file_knows_the_schemas_of_every_registered_action():
    registered = {name for name in registered_actions()
                  if name.startswith("helpdesk_")}
    unknown = sorted(registered - set(SCHEMAS))
    assert not unknown, (
        f"registered actions whose schemas are missing from SCHEMAS in "
        f"this file (add them so their docstrings are checked): {unknown}")
    gone = sorted(set(SCHEMAS) - registered)
    assert not gone, f"SCHEMAS names actions not registered: {gone}"
    assert sorted(HELPDESK_ACTIONS) == sorted(registered)


@pytest.mark.parametrize("action_name", HELPDESK_ACTIONS)
def test_the_schemas_listed_are_those_the_action_validates_with(
        action_name):
    listed = {schema_function.__name__
              for schema_function, *_ in SCHEMAS[action_name]}
    in_code = schemas_named_in_code(registered_actions()[action_name])
    assert listed == in_code, (
        f"{action_name} validates with {sorted(in_code)}; SCHEMAS in this "
        f"file lists {sorted(listed)}")


@pytest.mark.parametrize("action_name", HELPDESK_ACTIONS)
def test_help_show_documents_every_parameter_the_schema_accepts(
        action_name):
    docstring = help_of(action_name)
    assert docstring, f"{action_name} has no docstring"
    keys = schema_keys(action_name)
    params, types_ = documented(docstring, "param"), documented(
        docstring, "type")
    for missing, what in [
            (keys - set(params), "keys of its schema without a :param: line"),
            (keys - set(types_), "keys of its schema without a :type: line"),
            (set(params) - keys, "documented params not in its schema"),
            (set(types_) - keys, ":type: lines naming no key of its schema")]:
        assert not missing, f"{action_name}: {what}: {sorted(missing)}"
    assert len(params) == len(set(params)), (
        f"{action_name}: a param documented twice")
    assert re.search(r"^\s*:returns: \S", docstring, re.M), (
        f"{action_name}: no :returns: line")
    assert re.search(r"^\s*:rtype: \S", docstring, re.M), (
        f"{action_name}: no :rtype: line")
    unknown = {name: kind for name, kind in re.findall(
        r"^\s*:type (\w+): (.+)$", docstring, re.M) if kind not in TYPES}
    assert unknown == {}, (
        f"{action_name}: types other than CKAN's {sorted(TYPES)}: "
        f"{unknown}")


def test_the_help_link_of_every_action_api_answer_serves_its_docstring(
        app, clean_db):
    """Asked over HTTP as a visitor, with nothing, every action answers
    (a result or an error naming what is missing) with a ``help`` link to
    help_show, which serves the action's docstring."""
    for action_name in HELPDESK_ACTIONS:
        answer = app.post(f"/api/3/action/{action_name}", json={})
        assert answer.status_code in (200, 403, 404, 409), (
            f"{action_name} answered {answer.status_code}")
        link = urlsplit(answer.json["help"])
        assert link.path == "/api/3/action/help_show", action_name
        assert link.query == f"name={action_name}"
        helped = app.get(f"{link.path}?{link.query}", status=200).json
        assert helped["result"] == help_of(action_name), (
            f"the help link of {action_name} serves another text")
        assert ":param " in helped["result"] or not schema_keys(
            action_name), f"the help link of {action_name} names no param"


def readme_action_table():
    """{action name: its summary} from README's Action API table. A first
    column may name several actions (``helpdesk_issue_vote`` /
    ``_unvote``): a name starting with "_" replaces the last word of the
    full name before it. Its summary is that of the row's first line."""
    text = README.read_text()
    lines = text[text.index("\nAction API\n"):].splitlines()
    borders = [i for i, line in enumerate(lines)
               if re.fullmatch(r"=+ +=+", line)]
    width = len(lines[borders[0]].split()[0])
    table, full_name, summary = {}, None, ""
    for line in lines[borders[1] + 1:borders[2]]:
        first_column = line[:width].strip()
        if not first_column:
            continue
        if not first_column.startswith("``_"):
            summary = line[width:].strip()
        for name in re.findall(r"``(\w+)``", first_column):
            if name.startswith("_"):
                name = full_name.rsplit("_", 1)[0] + name
            else:
                full_name = name
            table[name] = summary
    return table


def test_the_readme_action_table_names_every_action_and_no_other():
    table = readme_action_table()
    missing = sorted(set(HELPDESK_ACTIONS) - set(table))
    assert not missing, (
        f"actions missing from README.rst's Action API table: {missing}")
    unknown = sorted(set(table) - set(HELPDESK_ACTIONS))
    assert not unknown, (
        f"README.rst's Action API table names actions that do not exist: "
        f"{unknown}")
    unsummarised = [name for name, summary in table.items() if not summary]
    assert not unsummarised, (
        f"README.rst's Action API table says nothing of: {unsummarised}")
