"""Validation schemas of the help desk's actions."""
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic import validators as v
from ckanext.helpdesk.logic import stats
from ckanext.helpdesk.logic.sorts import ISSUE_SORTS

TITLE_LENGTH = 200
TEXT_LENGTH = 20000
NAME_LENGTH = 200
REASON_LENGTH = 2000
QUERY_LENGTH = 500
EMAIL_LENGTH = 254  # RFC 5321's path limit
SEARCH_LIMIT = 1000
# Deeper than any list is long; PostgreSQL refuses OFFSETs past bigint.
MAX_OFFSET = 1_000_000_000
# The largest issue number PostgreSQL's integer column holds.
MAX_NUMBER = 2 ** 31 - 1

not_empty = tk.get_validator("not_empty")
not_missing = tk.get_validator("not_missing")
ignore = tk.get_validator("ignore")
ignore_missing = tk.get_validator("ignore_missing")
ignore_empty = tk.get_validator("ignore_empty")
default = tk.get_validator("default")
unicode_safe = tk.get_validator("unicode_safe")
email_validator = tk.get_validator("email_validator")


def one_of(values):
    """CKAN's one_of, given a list: CKAN 2.12 formats the values into its
    error message with %, which a tuple of them breaks (a TypeError:
    a 500 where a 400 naming the field belongs)."""
    return tk.get_validator("one_of")(list(values))


def _text(length=TEXT_LENGTH):
    """Text of at most `length` characters; the long ones (descriptions,
    comments, reasons: Markdown) may span lines, the others may not."""
    return [unicode_safe, v.helpdesk_stop_on_error(v.helpdesk_max_length(
        length, multiline=length >= REASON_LENGTH))]


def _required_text(length=TEXT_LENGTH, required=True):
    first = [not_empty] if required else [ignore_missing, not_empty]
    return first + [v.helpdesk_not_blank] + _text(length)


def _id():
    """An id or name, checked before it reaches a query."""
    return [unicode_safe] + _reference()


def _reference():
    """An id or name naming what an action is about: text only (a number
    or a list names nothing), checked before it reaches a query."""
    return [v.helpdesk_stop_on_error(v.helpdesk_identifier)]


def _anonymous_author(anonymous):
    """Who an anonymous visitor says they are: required from them, ignored
    from signed-in users (whose account speaks for them)."""
    if not anonymous:
        return {"name": [ignore], "email": [ignore]}
    return {"name": _required_text(NAME_LENGTH),
            "email": [not_empty] + _text(EMAIL_LENGTH) + [email_validator]}


def issue_reference_schema(id_key="id"):
    """The keys naming an issue: its id (under `id_key`), or its number
    with a dataset_id or, for a data request, an organization_id (see
    lookup.issue_from)."""
    return {
        id_key: [ignore_empty] + _reference(),
        "number": [ignore_empty, v.helpdesk_natural_number,
                   v.helpdesk_at_most(MAX_NUMBER)],
        "dataset_id": [ignore_empty] + _reference(),
        "organization_id": [ignore_empty] + _reference(),
    }


def comment_reference_schema(id_key="id"):
    """The key naming a comment (or an abuse report): its id."""
    return {id_key: [not_empty] + _reference()}


def organization_reference_schema():
    return {"organization_id": [not_empty] + _reference()}


def issue_create_schema(anonymous=False):
    author = _anonymous_author(anonymous)
    return {
        "dataset_id": [ignore_empty] + _id() + [v.helpdesk_dataset_id],
        "organization_id": [ignore_empty] + _id() + [
            v.helpdesk_organization_id],
        "resource_id": [ignore_empty] + _id(),
        "category": [not_empty, unicode_safe, v.helpdesk_category],
        "title": _required_text(TITLE_LENGTH),
        # Required from every caller, as the form marks it (Open311, whose
        # description is optional, lets the title stand in: see
        # open311/mapping.issue_fields).
        "description": _required_text(),
        "reporter_name": author["name"],
        "reporter_email": author["email"],
        # Only trusted code holds a report back for moderation (Open311's
        # moderated reports set context["helpdesk_held_for_moderation"]);
        # a caller asking for it is refused.
        "hidden": [ignore_missing, v.helpdesk_boolean, v.helpdesk_not_held],
        "__after": [v.helpdesk_issue_target],
    }


def _maybe_identifier(value):
    """"" unassigns; anything else must be an id or name."""
    return value and v.helpdesk_identifier(value)


def issue_update_schema():
    return {
        "id": [ignore],
        "status": [ignore_missing, unicode_safe, v.helpdesk_status],
        "assignee": [ignore_missing, unicode_safe,
                     v.helpdesk_stop_on_error(_maybe_identifier),
                     v.helpdesk_assignee],
        "duplicate_of": [ignore_missing] + _id() + [
            v.helpdesk_duplicate_of],
        "title": _required_text(TITLE_LENGTH, required=False),
        "description": _required_text(required=False),
        "comment": [ignore_empty] + _text(),
        "internal": [default(False), v.helpdesk_boolean],
        "__after": [v.helpdesk_status_transition],
    }


def issue_reopen_schema():
    return {
        "id": [ignore],
        "comment": [ignore_empty] + _text(),
        "__after": [v.helpdesk_reopenable],
    }


def hide_schema():
    """Hiding (or, with hidden=False, showing again) an issue or a
    comment."""
    return {"id": [ignore], "hidden": [default(True), v.helpdesk_boolean]}


def issue_search_schema():
    return {
        "dataset_id": [ignore_empty] + _id(),
        # One organization, or several (a list or a comma-separated string):
        # a publisher's dashboard covers every organization they edit.
        "organization_id": [ignore_empty, v.helpdesk_id_list],
        "category": [ignore_empty, unicode_safe, v.helpdesk_category],
        "status": [ignore_empty, v.helpdesk_status_filter],
        # Several issues by id, in one statement (Open311's
        # service_request_id=a,b,c).
        "id": [ignore_empty, v.helpdesk_id_list],
        "assignee": [ignore_empty] + _id(),
        "reporter": [ignore_empty] + _id(),
        "q": [ignore_empty] + _text(QUERY_LENGTH),
        "created_before": [ignore_empty, v.helpdesk_utc_datetime],
        "created_after": [ignore_empty, v.helpdesk_utc_datetime],
        "updated_after": [ignore_empty, v.helpdesk_utc_datetime],
        "following": [ignore_empty, v.helpdesk_boolean],
        "unread": [ignore_empty, v.helpdesk_boolean],
        "past_target": [ignore_empty, v.helpdesk_boolean],
        "sort": [default("newest"), one_of(ISSUE_SORTS)],
        "limit": [default(20), v.helpdesk_natural_number],
        "offset": [default(0), v.helpdesk_natural_number,
                   v.helpdesk_at_most(MAX_OFFSET)],
        # false: the page only, without count and facets (a scan of every
        # match), for clients that page by themselves such as Open311.
        "facets": [default(True), v.helpdesk_boolean],
    }


def stats_schema():
    return {
        "organization_id": [ignore_empty] + _reference(),
        "window": [default(stats.DEFAULT_WINDOW), v.helpdesk_natural_number,
                   one_of(stats.WINDOWS)],
        "sort": [default("name"), unicode_safe, one_of(stats.SORTS)],
    }


def issue_counts_schema():
    return {"dataset_ids": [not_missing, v.helpdesk_id_list]}


def comment_create_schema(anonymous=False):
    author = _anonymous_author(anonymous)
    return {
        "issue_id": [ignore],
        "body": _required_text(),
        "internal": [default(False), v.helpdesk_boolean],
        "author_name": author["name"],
        "author_email": author["email"],
    }


def comment_update_schema():
    return {"id": [ignore], "body": _required_text()}


def abuse_report_create_schema():
    return {
        "issue_id": [ignore],
        "comment_id": [ignore_empty] + _id(),
        "reason": _required_text(REASON_LENGTH),
    }


def abuse_report_resolve_schema():
    return {"id": [ignore],
            "action": [default("dismiss"), unicode_safe,
                       one_of(["dismiss", "hide", "show"])]}


def abuse_report_reopen_schema():
    """Undoing a decision: whether what was reported was hidden before."""
    return {"id": [ignore], "hidden": [not_missing, v.helpdesk_boolean]}


def organization_settings_update_schema():
    return {
        "organization_id": [ignore],
        "response_target_days": [not_missing, v.helpdesk_response_target],
        "notify_emails": [ignore_missing, v.helpdesk_email_addresses],
    }
