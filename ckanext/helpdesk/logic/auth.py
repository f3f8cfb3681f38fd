"""Auth functions of the help desk, registered by the plugin's blanket.

One per action. Whether an issue may be seen is decided by the one rule in
visibility.py, through the lookups of logic/lookup.py: an issue (or a
comment) the caller may not see raises ObjectNotFound exactly as a missing
one does, so a refusal (NotAuthorized) only ever concerns what the caller
sees. Managing (status, assignment, internal notes, hiding) is for the
editors and admins of the owning organization, moderating abuse reports
for its admins. Sysadmins pass every check
(CKAN does not call auth functions for them), so these functions decide
and never validate: the actions validate every key they read.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import ACTIONS, validators
from ckanext.helpdesk.logic.lookup import (abuse_report_from, comment_from,
                                           issue_from, organization_from)
from ckanext.helpdesk.model import Issue

__all__ = list(ACTIONS)

# What only managers change; the reporter may edit title and description.
MANAGING_FIELDS = ("status", "assignee", "duplicate_of")


def _result(success: bool, message: str = "") -> AuthResult:
    return {"success": success, "msg": message}


def _viewer(context: Context) -> visibility.Viewer:
    return visibility.viewer_from_context(context)


def _may_see(context: Context, data_dict: DataDict,
             id_key: str = "id") -> AuthResult:
    """Whoever may see the issue; for others it is not found."""
    issue_from(context, data_dict, id_key)
    return _result(True)


def _signed_in_may_see(context: Context, data_dict: DataDict,
                       id_key: str = "id") -> AuthResult:
    """Signed-in users who may see the issue. Checked here because CKAN's
    own refusal of anonymous callers misses the Action API, which passes a
    visitor as flask-login's AnonymousUser rather than None."""
    if _viewer(context).is_anonymous:
        return _result(False, tk._("Sign in first"))
    return _may_see(context, data_dict, id_key)


def _may_manage(context: Context, issue: Issue) -> AuthResult:
    return _result(visibility.manages(issue.id, _viewer(context)),
                   tk._("Only the organization's editors and admins may "
                        "manage this issue"))


def _anonymous_allowed(context: Context) -> bool:
    return bool(context.get("user")) or tk.config.get(
        "ckanext.helpdesk.allow_anonymous")


@tk.auth_allow_anonymous_access
def helpdesk_category_list(
    context: Context, data_dict: DataDict
) -> AuthResult:
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_issue_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Signed-in users (anonymous ones when the operator allows it). The
    action's validation finds the dataset among those the caller may see,
    answering "Dataset not found" alike for a missing and a private one."""
    if not _anonymous_allowed(context):
        return _result(False, tk._("Sign in to report an issue"))
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_issue_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _may_see(context, data_dict)


def helpdesk_issue_update(context: Context, data_dict: DataDict) -> AuthResult:
    """Managers change anything; the reporter may edit the title and
    description of their issue; either may reply with the change (an
    internal note only managers, as with helpdesk_comment_create)."""
    issue = issue_from(context, data_dict)
    viewer = _viewer(context)
    if visibility.manages(issue.id, viewer):
        return _result(True)
    managing = [field for field in MANAGING_FIELDS if field in data_dict]
    if _asks_internal(data_dict.get("internal")):
        managing.append("internal")
    if managing or not _is_reporter(issue, viewer):
        return _result(False, tk._("Not authorized to change {0}").format(
            ", ".join(managing) or tk._("this issue")))
    return _result(True)


def helpdesk_issue_reopen(context: Context, data_dict: DataDict) -> AuthResult:
    """The reporter of the issue, signed in (managers change its status
    with helpdesk_issue_update)."""
    issue = issue_from(context, data_dict)
    return _result(_is_reporter(issue, _viewer(context)),
                   tk._("Only the reporter may reopen this issue"))


def _is_reporter(issue: Issue, viewer: visibility.Viewer) -> bool:
    return bool(viewer.user_id) and issue.reporter_id == viewer.user_id


def helpdesk_issue_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(False, tk._("Only sysadmins may delete issues"))


def helpdesk_issue_hide(context: Context, data_dict: DataDict) -> AuthResult:
    return _may_manage(context, issue_from(context, data_dict))


@tk.auth_allow_anonymous_access
def helpdesk_issue_search(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: the results are limited to what the caller may see."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_issue_counts(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: only issues the caller may see are counted."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_response_time(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """Everyone: the figure is computed from public issues alone."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_stats(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: each figure counts only the issues the caller may see."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_comment_create(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """Whoever may see the issue (anonymous visitors when allowed);
    internal notes only its managers."""
    if not _anonymous_allowed(context):
        return _result(False, tk._("Sign in to comment"))
    issue = issue_from(context, data_dict, "issue_id")
    if not _asks_internal(data_dict.get("internal")):
        return _result(True)
    return _may_manage(context, issue)


def _asks_internal(flag: Any) -> bool:
    """Whether a comment asks to be an internal note, read as the action's
    schema reads it; a flag the schema will refuse counts as asking, so it
    never lets a non-manager through."""
    if flag is None:
        return False
    try:
        return validators.helpdesk_boolean(flag)
    except tk.Invalid:
        return True


def helpdesk_comment_update(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """The author of a comment, while they may still read it: a comment
    hidden by a moderator, or on an issue they may no longer see, is not
    found for them."""
    comment = comment_from(context, data_dict)
    viewer = _viewer(context)
    is_author = bool(viewer.user_id) and comment.author_id == viewer.user_id
    return _result(is_author, tk._("Only the author may edit a comment"))


def helpdesk_comment_hide(context: Context, data_dict: DataDict) -> AuthResult:
    comment = comment_from(context, data_dict)
    return _may_manage(context, comment.issue)


@tk.auth_allow_anonymous_access
def helpdesk_comment_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the issue; the action filters internal and hidden
    comments."""
    return _may_see(context, data_dict, "issue_id")


@tk.auth_allow_anonymous_access
def helpdesk_event_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _may_see(context, data_dict, "issue_id")


def helpdesk_issue_vote(context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in_may_see(context, data_dict)


def helpdesk_issue_unvote(context: Context, data_dict: DataDict) -> AuthResult:
    return helpdesk_issue_vote(context, data_dict)


def helpdesk_issue_subscribe(
    context: Context, data_dict: DataDict
) -> AuthResult:
    return _signed_in_may_see(context, data_dict)


def helpdesk_issue_unsubscribe(
    context: Context, data_dict: DataDict
) -> AuthResult:
    return helpdesk_issue_subscribe(context, data_dict)


def helpdesk_issue_seen(context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in_may_see(context, data_dict)


def helpdesk_unread_count(context: Context, data_dict: DataDict) -> AuthResult:
    """Signed-in users (what they follow); visitors follow nothing."""
    if _viewer(context).is_anonymous:
        return _result(False, tk._("Sign in first"))
    return _result(True)


def helpdesk_abuse_report_create(
    context: Context, data_dict: DataDict
) -> AuthResult:
    return _signed_in_may_see(context, data_dict, "issue_id")


def helpdesk_abuse_report_list(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """Organization admins (the action lists the reports about their
    organizations' issues)."""
    return _result(visibility.moderates_any(_viewer(context)),
                   tk._("Only organization admins may moderate"))


def helpdesk_abuse_report_resolve(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """The admins of the organization the reported issue belongs to."""
    try:
        report = abuse_report_from(context, data_dict)
    except (tk.ObjectNotFound, tk.ValidationError):
        # Moderators learn it does not exist or is ill-named (from the
        # action); others are refused as for any report.
        return helpdesk_abuse_report_list(context, data_dict)
    return _result(visibility.moderates(report.issue_id, _viewer(context)),
                   tk._("Only the organization's admins may moderate "
                        "this report"))


def helpdesk_abuse_report_reopen(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """Who may decide may undo the decision."""
    return helpdesk_abuse_report_resolve(context, data_dict)


def helpdesk_assignee_list(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """The editors and admins of the organization."""
    organization = organization_from(context, data_dict)
    return _result(
        visibility.holds(_viewer(context), organization.id,
                         visibility.MANAGER_CAPACITIES),
        tk._("Only the organization's editors and admins see its members"))


@tk.auth_allow_anonymous_access
def helpdesk_organization_settings_show(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """Everyone: the target is promised to the organization's public."""
    organization_from(context, data_dict)
    return _result(True)


def helpdesk_organization_settings_update(
    context: Context, data_dict: DataDict
) -> AuthResult:
    """The organization's admins."""
    organization = organization_from(context, data_dict)
    return _result(
        visibility.holds(_viewer(context), organization.id, ("admin",)),
        tk._("Only the organization's admins may change its help desk "
             "settings"))
