"""The hostile-input acceptance test: what an attacker sends (NUL and
control characters, 1 MB bodies, pathological Markdown at each field's
maximum, UUID-shaped names, 10,000-item lists, wrong types, huge integers)
to every route of the help desk's blueprints (GET and POST, Open311's
included) and to every help desk action through CKAN's /api/3/action/
route, as a visitor, a signed-in user and a sysadmin.

Query strings stay within the request line a server accepts (gunicorn
refuses lines over 4 KB, nginx over 8 KB, before CKAN sees them); the
1 MB bodies and 10,000-item lists are posted.

Whatever the answer, it is never a 5xx, and a refusal of the input (400,
or the Action API's 409) names the field or parameter. (How long the
pathological Markdown takes to render is measured by
bench/bench_markdown.py.) The corpus is representative per field, not a cross product:
each request carries one kind of hostile value in every field at once,
with valid ids (so the values reach validation) or in the ids themselves.
"""
import logging
import re
import urllib.parse

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic import ACTIONS, schema
from ckanext.helpdesk.model import Notification
from ckanext.helpdesk.notify import actions as notify_actions
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.webhooks import actions as webhook_actions
from ckanext.helpdesk.tests.views.conftest import Visitor, make_user

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous",
                                      "true")]

BLUEPRINTS = ("helpdesk", "helpdesk_queue", "helpdesk_moderation",
              "helpdesk_feeds", "helpdesk_exports", "helpdesk_open311",
              "helpdesk_notify", "helpdesk_settings", "helpdesk_stats",
              "helpdesk_webhooks")
REQUEST_LINE = 4094  # gunicorn's limit_request_line
ACTORS = ("anonymous", "visitor", "sysadmin")


def _pathological(length):
    """Unclosed links: python-markdown's worst case found, at `length`."""
    return ("[a](" * (length // 4 + 1))[:length]


def _uuids(count):
    return [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]


# -- the corpus -------------------------------------------------------------------

# The longest each text field may be: pathological Markdown is sent at
# exactly that length, so it is stored and rendered.
MAXIMUM = {"title": schema.TITLE_LENGTH, "description": schema.TEXT_LENGTH,
           "body": schema.TEXT_LENGTH, "comment": schema.TEXT_LENGTH,
           "reason": schema.REASON_LENGTH, "q": schema.QUERY_LENGTH,
           "text": schema.TEXT_LENGTH, "reporter_name": schema.NAME_LENGTH,
           "author_name": schema.NAME_LENGTH}


def _text_values(field):
    return {
        "nul": "nul\x00byte",
        "controls": "esc\x1b[31m bell\x07 form\x0cfeed",
        "markdown at the maximum": _pathological(
            MAXIMUM.get(field, schema.TEXT_LENGTH)),
        "uuid-shaped name": _uuids(1)[0],
        "huge integer": "9" * 40,
    }


# JSON carries these too.
JSON_VALUES = {
    "object": {"nested": {"deeper": [1, 2.5, None]}},
    "huge integer": 10 ** 40,
    "negative number": -1,
    "float": 1e308,
    "lone surrogate": "\ud800",
}
# Where a list is expected (and, wrongly, where text is).
JSON_LIST_KEYS = ("dataset_ids", "organization_id", "status", "id",
                  "title")

# Every key an action reads.
ID_KEYS = ("id", "issue_id", "dataset_id", "organization_id",
           "resource_id", "comment_id", "duplicate_of", "assignee",
           "reporter", "number")
FIELD_KEYS = ("title", "description", "body", "comment", "reason", "q",
              "reporter_name", "reporter_email", "author_name",
              "author_email", "category", "status", "sort", "action",
              "created_before", "created_after", "updated_after", "hidden",
              "internal", "facets", "limit", "offset", "dataset_ids",
              "email_notifications", "url", "events")

# Every form field and query parameter of the routes (pages and Open311).
FORM_KEYS = ("category", "title", "description", "resource_id",
             "reporter_name", "reporter_email", "body", "author_name",
             "author_email", "internal", "status", "assignee",
             "duplicate_of", "comment", "vote", "subscribe", "hidden",
             "reason", "comment_id", "text", "action", "came_from",
             "List-Unsubscribe", "q", "sort", "older_than", "page",
             "dataset_id", "organization_id", "service_code",
             "service_request_id", "start_date", "end_date", "extensions",
             "page_size", "jurisdiction_id", "attribute[dataset]",
             "attribute[organization]", "attribute[resource]",
             "attribute[title]", "address_id", "email", "first_name",
             "last_name", "url", "events", "update_id", "updated_datetime")
LIST_KEYS = ("organization_id", "dataset_id", "status", "service_code",
             "service_request_id", "issue_id")


def _form_variants():
    """(name, [(key, value)]) of the forms posted to every route."""
    variants = [(name, [(key, _text_values(key)[name]) for key in FORM_KEYS])
                for name in _text_values("text")]
    share = "m" * (1_000_000 // len(FORM_KEYS))  # a 1 MB body
    variants.append(("1 MB", [(key, share) for key in FORM_KEYS]))
    many = ",".join(_uuids(10_000))
    variants.append(("10,000-item lists",
                     [(key, many) for key in LIST_KEYS]
                     + [("issue_id", uuid) for uuid in _uuids(10_000)]))
    return variants


def _query_variants():
    """(name, [(key, value)]) of the query strings: each hostile value
    in every parameter, or in one parameter as long as a request line
    may be."""
    short = {name: value for name, value in _text_values("text").items()
             if len(value) < 100}
    variants = [(name, [(key, value) for key in FORM_KEYS])
                for name, value in short.items()]
    for key in ("q", "organization_id", "service_request_id"):
        long_value = (_pathological(schema.QUERY_LENGTH) if key == "q"
                      else ",".join(_uuids(REQUEST_LINE // 40)))
        variants.append((f"long {key}", [(key, long_value)]))
    return variants


def _path_variants():
    """Hostile values of each URL argument."""
    return {"nul": "a\x00b", "controls": "a\x1bb", "long": "p" * 5000,
            "uuid-shaped name": _uuids(1)[0], "huge integer": "9" * 40}


# -- the portal -------------------------------------------------------------------

@pytest.fixture
def targets():
    """An organization with an editor, a public dataset with a resource,
    an issue with a comment, an abuse report and its notifications, and a
    visitor and a sysadmin who may sign in."""
    editor, reporter = make_user(), make_user()
    sysadmin = make_user(sysadmin=True)
    org = factories.Organization(users=[
        {"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], resources=[
        {"url": "http://x.test/a.csv", "name": "a.csv"}])
    issue = factories.Issue(user=reporter, dataset_id=dataset["id"])
    comment = call_as(editor, "helpdesk_comment_create", issue_id=issue["id"],
                      body="Hi")
    abuse = call_as(reporter, "helpdesk_abuse_report_create",
                    issue_id=issue["id"], reason="Spam")
    notification = model.Session.query(Notification.id).filter_by(
        issue_id=issue["id"]).first()
    webhook = tk.get_action("helpdesk_webhook_create")(
        {"ignore_auth": True}, {"organization_id": org["id"],
                                "url": "https://example.org/hook"})
    return {"users": {"anonymous": None, "visitor": reporter,
                      "sysadmin": sysadmin},
            "editor": editor, "org": org, "dataset": dataset,
            "issue": issue, "comment": comment, "abuse": abuse,
            "notification_id": notification.id, "webhook": webhook}


class Failures(list):
    """What went wrong, gathered over all requests of a test; a 5xx comes
    with the traceback CKAN logged for it (from pytest's caplog)."""

    def __init__(self, caplog):
        super().__init__()
        self.caplog = caplog

    def check(self, what, response, names):
        status = response.status_code
        if status >= 500:
            self.append(f"{what}: answered {status}\n{self._logged()}")
        self.caplog.clear()
        if status in (400, 409) and not _names_one(response, names):
            self.append(f"{what}: {status} naming none of the fields: "
                        f"{response.get_data(as_text=True)[:300]!r}")


    def _logged(self):
        errors = [record for record in self.caplog.records
                  if record.levelno >= logging.ERROR]
        if not errors:
            return "(nothing logged)"
        record = errors[-1]
        return (record.getMessage() + "\n" + (record.exc_text or ""))[-3000:]


def _names_one(response, names):
    """Whether a refusal names one of `names`: a key of the Action API's
    error dict, a word of an Open311 error description, an error beside
    a form's field, or "name:" in the text of a page (as
    views/common.py's http_errors writes it)."""
    body = response.get_data(as_text=True)
    if response.content_type.startswith("application/json"):
        answer = response.json
        if isinstance(answer, dict):  # the Action API: {field: [message]}
            return bool(set(answer.get("error", {})) - {"__type", "message"})
        return _any_word(" ".join(e["description"] for e in answer), names)
    if response.content_type.startswith("text/xml"):  # Open311
        return _any_word(" ".join(re.findall(
            r"<description>(.*?)</description>", body, re.S)), names)
    if 'class="error-block"' in body:
        return True
    text = re.sub(r"<[^>]+>", " ", body)
    return any(re.search(rf"(^|\W){re.escape(name)}\s*[:=]", text)
               for name in names)


def _any_word(text, names):
    return any(re.search(rf"(^|\W){re.escape(name)}\b", text)
               for name in names)


# -- the Action API ---------------------------------------------------------------

def _valid_ids(targets, action):
    """The ids that let `action` reach the validation of its fields."""
    issue = targets["issue"]
    ids = {"issue_id": issue["id"], "dataset_id": targets["dataset"]["id"],
           "organization_id": targets["org"]["id"],
           "dataset_ids": [targets["dataset"]["id"]], "id": issue["id"]}
    if action.startswith("helpdesk_comment_"):
        ids["id"] = targets["comment"]["id"]
    elif action == "helpdesk_abuse_report_resolve":
        ids["id"] = targets["abuse"]["id"]
    elif action.startswith("helpdesk_notification_"):
        ids["id"] = targets["users"]["visitor"]["name"]
    elif action.startswith("helpdesk_webhook_"):
        ids["id"] = targets["webhook"]["id"]
    elif action == "helpdesk_issue_delete":
        # A victim of its own: the corpus must not delete the issue every
        # other action is about.
        ids["id"] = factories.Issue(user=targets["editor"],
                                    dataset_id=targets["dataset"]["id"])["id"]
    return ids


def _payloads(targets, action):
    """(name, data_dict): each hostile value in every field with valid
    ids, and in every key at once."""
    for name in _text_values("text"):
        fields = {key: _text_values(key)[name] for key in FIELD_KEYS}
        yield name, dict(fields, **_valid_ids(targets, action))
        yield name + " (ids too)", {
            key: _text_values(key)[name] for key in ID_KEYS + FIELD_KEYS}
    yield "1 MB", dict({key: "m" * 1_000_000 for key in FIELD_KEYS[:3]},
                       **_valid_ids(targets, action))
    many = _uuids(10_000)
    yield "10,000-item lists", dict(_valid_ids(targets, action), **{
        key: many for key in JSON_LIST_KEYS})
    for name, value in JSON_VALUES.items():
        yield name, dict({key: value for key in FIELD_KEYS},
                         **_valid_ids(targets, action))
        yield name + " (ids too)", {key: value
                                    for key in ID_KEYS + FIELD_KEYS}


@pytest.mark.parametrize("actor", ACTORS)
def test_every_action_over_http_survives_the_corpus(app, targets, actor,
                                                   caplog):
    user = targets["users"][actor]
    headers = ({"Authorization": factories.APIToken(
        user=user["name"])["token"]} if user else {})
    client = app.test_client()
    failures = Failures(caplog)
    # Deleting last, so the other actions still find the issue.
    actions = sorted(
        list(ACTIONS) + notify_actions.__all__ + webhook_actions.__all__,
        key=lambda action: action.endswith("_delete"))
    for action in actions:
        for name, data in _payloads(targets, action):
            response = client.post(f"/api/3/action/{action}", json=data,
                                   headers=headers)
            failures.check(f"{actor} {action} {name}", response, set(data))
    assert failures == [], "\n".join(failures)


# -- the routes -------------------------------------------------------------------

def _rules(app):
    """(rule, method) of every help desk route, Open311's included."""
    for rule in app.flask_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in BLUEPRINTS:
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule, method


def _path(rule, targets, hostile=None):
    """The rule's URL with valid arguments, or `hostile` in each."""
    in_org = rule.rule.startswith("/organization/")
    valid = {"id": (targets["org"]["name"] if in_org
                    else targets["dataset"]["name"]),
             "number": targets["issue"]["number"],
             "issue_id": targets["issue"]["id"],
             "comment_id": targets["comment"]["id"],
             "report_id": targets["abuse"]["id"], "token": "some-token",
             "notification_id": targets["notification_id"],
             "service_code": "data-problem",
             "service_request_id": targets["issue"]["id"], "fmt": "json",
             "webhook_id": targets["webhook"]["id"]}

    def argument(match):
        converter, name = match.group(1), match.group(2)
        if hostile is None:
            value = valid[name]
        elif converter == "int":
            value = "9" * 40 if hostile != "a\x00b" else 0
        else:
            value = hostile
        return urllib.parse.quote(str(value), safe="")
    return re.sub(r"<(?:(\w+):)?(\w+)>", argument, rule.rule)


def _names(rule):
    """What a refusal may name: a form field or parameter, an argument
    of the URL, or the id and number the URL's arguments stand for."""
    return set(FORM_KEYS) | set(rule.arguments) | {
        "id", "number", "issue_id", "format"}


def _visitor(app, targets, actor):
    visitor = Visitor(app)
    if targets["users"][actor]:
        visitor.sign_in(targets["users"][actor])
    return visitor


def _send(visitor, method, url, fields):
    if method == "GET":
        query = urllib.parse.urlencode(fields)
        return visitor.get(url + ("?" + query if query else ""))
    form = dict(fields)
    if any(key == "issue_id" for key, _value in fields):
        form["issue_id"] = [value for key, value in fields
                            if key == "issue_id"]
    return visitor.post(url, form)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_survives_hostile_forms_and_query_strings(
        app, targets, actor, caplog):
    visitor = _visitor(app, targets, actor)
    failures = Failures(caplog)
    for rule, method in _rules(app):
        url = _path(rule, targets)
        variants = (_query_variants() if method == "GET"
                    else _form_variants())
        for name, fields in variants:
            response = _send(visitor, method, url, fields)
            failures.check(f"{actor} {method} {rule.rule} {name}",
                           response, _names(rule))
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_survives_hostile_values_in_its_path(app, targets,
                                                         actor, caplog):
    visitor = _visitor(app, targets, actor)
    failures = Failures(caplog)
    for rule, method in _rules(app):
        if not rule.arguments:
            continue
        for name, hostile in _path_variants().items():
            url = _path(rule, targets, hostile)
            response = _send(visitor, method, url, [])
            failures.check(f"{actor} {method} {rule.rule} {name}",
                           response, _names(rule))
    assert failures == [], "\n".join(failures)


def test_the_pages_showing_the_stored_corpus_render(app, targets, caplog):
    """After the corpus: issues and comments at each field's maximum of
    pathological Markdown render on their pages."""
    dataset = targets["dataset"]
    issue = factories.Issue(user=targets["editor"], dataset_id=dataset["id"],
                            title=_pathological(schema.TITLE_LENGTH),
                            description=_pathological(schema.TEXT_LENGTH))
    call_as(targets["editor"], "helpdesk_comment_create", issue_id=issue["id"],
            body="!" + _pathological(schema.TEXT_LENGTH - 1))
    failures = Failures(caplog)
    for actor in ACTORS:
        visitor = _visitor(app, targets, actor)
        for url in (f"/dataset/{dataset['name']}/issues/{issue['number']}",
                    f"/dataset/{dataset['name']}/issues",
                    "/issues", "/issues.atom", "/dashboard/issues"):
            response = visitor.get(url, follow_redirects=True)
            failures.check(f"{actor} GET {url}", response, [])
            assert response.status_code == 200, url
    assert failures == [], "\n".join(failures)
