"""Validation schemas of the help desk's actions."""
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic import validators as v

TITLE_LENGTH = 200
TEXT_LENGTH = 20000
NAME_LENGTH = 200
SEARCH_LIMIT = 1000
# Deeper than any list is long; PostgreSQL refuses OFFSETs past bigint.
MAX_OFFSET = 1_000_000_000
SORTS = ("newest", "oldest", "updated", "votes", "comments")

not_empty = tk.get_validator("not_empty")
not_missing = tk.get_validator("not_missing")
ignore = tk.get_validator("ignore")
ignore_missing = tk.get_validator("ignore_missing")
ignore_empty = tk.get_validator("ignore_empty")
default = tk.get_validator("default")
unicode_safe = tk.get_validator("unicode_safe")
boolean_validator = tk.get_validator("boolean_validator")
email_validator = tk.get_validator("email_validator")
natural_number_validator = tk.get_validator("natural_number_validator")
one_of = tk.get_validator("one_of")


def _text(length=TEXT_LENGTH):
    return [unicode_safe, v.helpdesk_max_length(length)]


def _required_text(length=TEXT_LENGTH, required=True):
    first = [not_empty] if required else [ignore_missing, not_empty]
    return first + [v.helpdesk_not_blank] + _text(length)


def _anonymous_author(anonymous):
    """Who an anonymous visitor says they are: required from them, ignored
    from signed-in users (whose account speaks for them)."""
    if not anonymous:
        return {"name": [ignore], "email": [ignore]}
    return {"name": _required_text(NAME_LENGTH),
            "email": [not_empty, unicode_safe, email_validator]}


def issue_create_schema(anonymous=False):
    author = _anonymous_author(anonymous)
    return {
        "dataset_id": [ignore_empty, unicode_safe, v.helpdesk_dataset_id],
        "organization_id": [ignore_empty, unicode_safe,
                            v.helpdesk_organization_id],
        "resource_id": [ignore_empty, unicode_safe],
        "category": [not_empty, unicode_safe, v.helpdesk_category],
        "title": _required_text(TITLE_LENGTH),
        "description": [default("")] + _text(),
        "reporter_name": author["name"],
        "reporter_email": author["email"],
        # Held back for moderation from the start (Open311's moderated
        # reports), so it is never public before a moderator shows it.
        "hidden": [default(False), boolean_validator],
        "__after": [v.helpdesk_issue_target],
    }


def issue_update_schema():
    return {
        "id": [ignore],
        "status": [ignore_missing, unicode_safe, v.helpdesk_status],
        "assignee": [ignore_missing, unicode_safe, v.helpdesk_assignee],
        "duplicate_of": [ignore_missing, unicode_safe,
                         v.helpdesk_duplicate_of],
        "title": _required_text(TITLE_LENGTH, required=False),
        "description": [ignore_missing] + _text(),
        "comment": [ignore_empty] + _text(),
        "__after": [v.helpdesk_status_transition],
    }


def hide_schema():
    """Hiding (or, with hidden=False, showing again) an issue or a
    comment."""
    return {"id": [ignore], "hidden": [default(True), boolean_validator]}


def issue_search_schema():
    return {
        "dataset_id": [ignore_empty, unicode_safe],
        # One organization, or several (a list or a comma-separated string):
        # a publisher's dashboard covers every organization they edit.
        "organization_id": [ignore_empty, v.helpdesk_id_list],
        "category": [ignore_empty, unicode_safe, v.helpdesk_category],
        "status": [ignore_empty, v.helpdesk_status_filter],
        "assignee": [ignore_empty, unicode_safe],
        "reporter": [ignore_empty, unicode_safe],
        "q": [ignore_empty, unicode_safe, v.helpdesk_max_length(500)],
        "created_before": [ignore_empty, v.helpdesk_utc_datetime],
        "created_after": [ignore_empty, v.helpdesk_utc_datetime],
        "updated_after": [ignore_empty, v.helpdesk_utc_datetime],
        "sort": [default("newest"), one_of(SORTS)],
        "limit": [default(20), natural_number_validator],
        "offset": [default(0), natural_number_validator,
                   v.helpdesk_at_most(MAX_OFFSET)],
        # false: the page only, without count and facets (a scan of every
        # match), for clients that page by themselves such as Open311.
        "facets": [default(True), boolean_validator],
    }


def issue_counts_schema():
    return {"dataset_ids": [not_missing, v.helpdesk_id_list]}


def comment_create_schema(anonymous=False):
    author = _anonymous_author(anonymous)
    return {
        "issue_id": [ignore],
        "body": _required_text(),
        "internal": [default(False), boolean_validator],
        "author_name": author["name"],
        "author_email": author["email"],
    }


def comment_update_schema():
    return {"id": [ignore], "body": _required_text()}


def abuse_report_create_schema():
    return {
        "issue_id": [ignore],
        "comment_id": [ignore_empty, unicode_safe],
        "reason": _required_text(2000),
    }


def abuse_report_resolve_schema():
    return {"id": [ignore],
            "action": [default("dismiss"),
                       one_of(["dismiss", "hide", "show"])]}
