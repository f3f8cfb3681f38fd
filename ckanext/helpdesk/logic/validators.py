"""Validators of the help desk, registered by the plugin's blanket.

The validators of an existing issue's fields (assignee, duplicate-of,
status transition) read the issue from ``context["helpdesk_issue"]``, as
CKAN's own package validators read ``context["package"]``.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import (Context, DataValidator, FlattenDataDict,
                        FlattenErrorDict, FlattenKey, ValueValidator)

from ckanext.helpdesk import visibility
from ckanext.helpdesk.categories import category_codes
from ckanext.helpdesk.logic import lookup, targets, text
from ckanext.helpdesk.model import (CLOSED_STATUSES, OPEN_STATUSES,
                                    REOPENABLE_STATUSES, STATUSES, Issue)

LIST_LENGTH = 1000  # values of a list parameter (ids, organizations)
MAX_NOTIFY_EMAILS = 5  # an organization's own help desk addresses
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit

__all__ = [
    "helpdesk_email_addresses",
    "helpdesk_not_blank", "helpdesk_max_length", "helpdesk_category",
    "helpdesk_status", "helpdesk_not_held",
    "helpdesk_status_filter", "helpdesk_dataset_id",
    "helpdesk_organization_id", "helpdesk_user_id", "helpdesk_assignee",
    "helpdesk_duplicate_of", "helpdesk_issue_target",
    "helpdesk_status_transition", "helpdesk_utc_datetime",
    "helpdesk_id_list", "helpdesk_identifier", "helpdesk_boolean",
    "helpdesk_natural_number", "helpdesk_reopenable",
    "helpdesk_response_target",
]


def helpdesk_not_blank(value: Any) -> Any:
    """Reject text that is only whitespace (not_empty lets it through)."""
    if isinstance(value, str) and not value.strip():
        raise tk.Invalid(tk._("Missing value"))
    return value


def helpdesk_max_length(length: int,
                        multiline: bool = False) -> ValueValidator:
    """A validator of text (after unicode_safe) that is at most `length`
    characters long and carries no control characters (see text.py)."""
    def max_length(value: Any) -> Any:
        error = value and text.problem(value, length, multiline)
        if error:
            raise tk.Invalid(error)
        return value
    return max_length


def helpdesk_stop_on_error(validator: ValueValidator) -> DataValidator:
    """`validator` (value -> value) as a validator that ends the key's
    chain when it refuses: after an Invalid, CKAN's navl goes on with the
    next validators, which would query the database with the value."""
    def stopping(key: FlattenKey, data: FlattenDataDict,
                 errors: FlattenErrorDict, context: Context) -> None:
        try:
            data[key] = validator(data[key])
        except tk.Invalid as error:
            errors[key].append(error.error)
            raise tk.StopOnError from None
    return stopping


def helpdesk_identifier(value: Any) -> str:
    """An id or name given as text: of an id's length, no controls."""
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be a string"))
    return helpdesk_max_length(text.ID_LENGTH)(value)


def helpdesk_natural_number(value: Any) -> int:
    """A whole number from 0, given as a number or as text (CKAN's
    natural_number_validator fails with a 500 on blank text)."""
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError
        number = int(value)
    except ValueError:
        raise tk.Invalid(tk._("Invalid integer")) from None
    if number < 0:
        raise tk.Invalid(tk._("Must be a natural number"))
    return number


def helpdesk_at_most(maximum: int) -> ValueValidator:
    """A validator rejecting numbers above `maximum` (after
    helpdesk_natural_number), before PostgreSQL refuses them."""
    def at_most(value: Any) -> Any:
        try:
            too_big = int(value) > maximum
        except (TypeError, ValueError):
            return value  # natural_number_validator has said so already
        if too_big:
            raise tk.Invalid(tk._("Must be at most {0}").format(maximum))
        return value
    return at_most


def helpdesk_category(value: Any) -> str:
    if not isinstance(value, str) or value not in category_codes():
        raise tk.Invalid(tk._("Unknown category: {0}").format(value))
    return value


def helpdesk_boolean(value: Any) -> bool:
    """A flag: a bool, 1 or 0, or CKAN's spellings of true and false
    ("true", "yes", "1"...; "false", "no", "0", ""). Anything else is
    refused rather than read as false (CKAN's boolean_validator fails on
    numbers and lists)."""
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if value.lower() in ("true", "yes", "t", "y", "1", "on"):
            return True
        if value.lower() in ("false", "no", "f", "n", "0", "off", ""):
            return False
    raise tk.Invalid(tk._("Must be true or false"))


def helpdesk_not_held(value: Any) -> Any:
    """New issues are public: only trusted code (Open311's moderated
    reports) holds one back, through the context, never a caller's
    `hidden`."""
    if value:
        raise tk.Invalid(tk._("Only moderation may hold back a new issue"))
    return value


def helpdesk_status(value: Any) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        raise tk.Invalid(tk._("Unknown status: {0}").format(value))
    return value


def helpdesk_status_filter(value: Any) -> list[str]:
    """A status, "open" or "closed", or a comma list (or list) of them ->
    the list of statuses."""
    groups = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}
    statuses: list[str] = []
    for name in helpdesk_id_list(value):
        statuses.extend(groups.get(name) or [helpdesk_status(name)])
    return list(dict.fromkeys(statuses))


def helpdesk_dataset_id(value: Any, context: Context) -> str:
    """A dataset's id or name -> its id, if the caller may see the dataset
    (managers see their drafts and deleted ones): one they may not see is
    not found, exactly like a missing one."""
    dataset = model.Package.get(value)
    if dataset is None or not visibility.can_see_dataset(
            dataset.id, visibility.viewer_from_context(context)):
        raise tk.Invalid(tk._("Dataset not found"))
    return dataset.id


def helpdesk_organization_id(value: Any) -> str:
    """An active organization's id or name -> its id."""
    group = model.Group.get(value)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._("Organization not found"))
    return group.id


def helpdesk_user_id(value: Any) -> str:
    """A user's id or name -> its id."""
    user = model.User.get(value)
    if user is None:
        raise tk.Invalid(tk._("User not found"))
    return user.id


def helpdesk_assignee(value: Any, context: Context) -> str | None:
    """A user name or id -> the id of a member of the issue's
    organization; "" -> None (unassign)."""
    if value == "":
        return None
    user_id = helpdesk_user_id(value)
    org_id = lookup.owning_org_id(context["helpdesk_issue"])
    if not visibility.holds(visibility.Viewer(user_id), org_id):
        raise tk.Invalid(
            tk._("The assignee must be a member of the organization"))
    return user_id


def helpdesk_duplicate_of(value: Any, context: Context) -> str:
    """The id of another issue of the same organization."""
    issue = context["helpdesk_issue"]
    original = model.Session.get(Issue, value)
    if original is None:
        raise tk.Invalid(tk._("Issue not found"))
    if original.id == issue.id:
        raise tk.Invalid(tk._("An issue cannot duplicate itself"))
    if lookup.owning_org_id(original) != lookup.owning_org_id(issue):
        raise tk.Invalid(tk._(
            "The original issue must belong to the same organization"))
    return original.id


def helpdesk_issue_target(key: FlattenKey, data: FlattenDataDict,
                          errors: FlattenErrorDict, context: Context) -> None:
    """A new issue is about a dataset (its organization follows) or, as a
    data request, about an organization; a resource must be the
    dataset's."""
    if errors.get(("dataset_id",)):
        return
    dataset_id = data.get(("dataset_id",))
    if dataset_id:
        owner_org = model.Package.get(dataset_id).owner_org
        if not owner_org:
            _error(errors, "dataset_id",
                   tk._("The dataset belongs to no organization"))
        data[("organization_id",)] = owner_org
    elif not data.get(("organization_id",)) and not errors.get(
            ("organization_id",)):
        _error(errors, "dataset_id",
               tk._("Missing value: a dataset or an organization"))
    resource_id = data.get(("resource_id",))
    if resource_id and not errors.get(("resource_id",)):
        resource = model.Resource.get(resource_id)
        if (resource is None or resource.package_id != dataset_id
                or resource.state != "active"):
            _error(errors, "resource_id",
                   tk._("Not a resource of the dataset"))


def helpdesk_status_transition(key: FlattenKey, data: FlattenDataDict,
                               errors: FlattenErrorDict,
                               context: Context) -> None:
    """Check the status change against the issue's current status: no
    change to the same status; a duplicate needs the issue it duplicates;
    naming an original alone marks the issue a duplicate."""
    issue = context["helpdesk_issue"]
    status = data.get(("status",))
    duplicate_of = data.get(("duplicate_of",))
    if _given(status) and status == issue.status:
        _error(errors, "status",
               tk._("The issue is already {0}").format(status))
    if _given(duplicate_of) and duplicate_of:
        if not _given(status):
            data[("status",)] = "duplicate"
        elif status != "duplicate":
            _error(errors, "duplicate_of",
                   tk._("Only a duplicate issue refers to an original"))
    elif status == "duplicate" and not issue.duplicate_of_id:
        _error(errors, "duplicate_of",
               tk._("Missing value: the issue it duplicates"))


def helpdesk_reopenable(key: FlattenKey, data: FlattenDataDict,
                        errors: FlattenErrorDict, context: Context) -> None:
    """Only a resolved issue, or one marked won't fix, is reopened (an
    open one is open already; a duplicate lives on in its original)."""
    if context["helpdesk_issue"].status not in REOPENABLE_STATUSES:
        _error(errors, "status",
               tk._("Only a resolved issue, or one marked won't fix, can "
                    "be reopened"))


def helpdesk_utc_datetime(value: Any) -> datetime.datetime:
    """An ISO 8601 date or datetime -> an aware datetime (UTC when no
    offset is given)."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            raise tk.Invalid(tk._("Date format incorrect")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def helpdesk_id_list(value: Any) -> list[str]:
    """A list, or a comma-separated string, of ids -> a list of them,
    each once, at most LIST_LENGTH (so one request does bounded work)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(item, str) for item in value):
        raise tk.Invalid(tk._("Must be a list of ids"))
    ids = list(dict.fromkeys(item.strip() for item in value if item.strip()))
    if len(ids) > LIST_LENGTH:
        raise tk.Invalid(
            tk._("At most {0} values").format(LIST_LENGTH))
    for item in ids:
        helpdesk_identifier(item)
    return ids


def _given(value: Any) -> bool:
    return value is not tk.missing and value is not None


def _error(errors: FlattenErrorDict, field: str, message: str) -> None:
    errors.setdefault((field,), []).append(message)


def helpdesk_response_target(value: Any) -> int | None:
    """A response target in working days, as a number or as text; blank
    (None) for the portal's default."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = tk._("Give a whole number of working days from {low} to "
                   "{high}, or leave it blank for the portal's default"
                   ).format(low=targets.MIN_TARGET_DAYS,
                            high=targets.MAX_TARGET_DAYS)
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError
        days = int(value)
    except ValueError:
        raise tk.Invalid(message) from None
    if not targets.MIN_TARGET_DAYS <= days <= targets.MAX_TARGET_DAYS:
        raise tk.Invalid(message)
    return days


def helpdesk_email_addresses(value: Any) -> list[str]:
    """Email addresses, as a list or as text separated by commas, spaces
    or lines: each once (letter case aside), at most MAX_NOTIFY_EMAILS."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not all(
            isinstance(address, str) for address in value):
        raise tk.Invalid(tk._("Give email addresses separated by commas"))
    addresses: list[str] = []
    for address in value:
        if len(address) > MAX_EMAIL_LENGTH:
            raise tk.Invalid(tk._("An email address has at most {n} "
                                  "characters").format(n=MAX_EMAIL_LENGTH))
        tk.get_validator("email_validator")(address, {})  # names it if bad
        if address.lower() not in (known.lower() for known in addresses):
            addresses.append(address)
    if len(addresses) > MAX_NOTIFY_EMAILS:
        raise tk.Invalid(tk._("Give at most {n} addresses").format(
            n=MAX_NOTIFY_EMAILS))
    return addresses
