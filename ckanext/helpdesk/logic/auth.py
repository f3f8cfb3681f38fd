"""Auth functions of the help desk, registered by the plugin's blanket.

One per action. Whether an issue may be seen is decided by the one rule in
visibility.py; managing (status, assignment, internal notes, hiding) is
for the editors and admins of the owning organization, moderating abuse
reports for its admins. Sysadmins pass every check (CKAN does not call
auth functions for them).
"""
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import ACTIONS
from ckanext.helpdesk.logic.lookup import comment_from, issue_from
from ckanext.helpdesk.model import AbuseReport

__all__ = list(ACTIONS)

# What only managers change; the reporter may edit title and description.
MANAGING_FIELDS = ("status", "assignee", "duplicate_of")


def _result(success, message=""):
    return {"success": success, "msg": message}


def _viewer(context):
    return visibility.viewer_from_context(context)


def _may_see(context, data_dict, id_key="id"):
    issue = issue_from(data_dict, id_key)
    return _result(visibility.is_visible(issue.id, _viewer(context)),
                   tk._("Not authorized to see this issue"))


def _signed_in_may_see(context, data_dict, id_key="id"):
    """Signed-in users who may see the issue. Checked here because CKAN's
    own refusal of anonymous callers misses the Action API, which passes a
    visitor as flask-login's AnonymousUser rather than None."""
    if _viewer(context).is_anonymous:
        return _result(False, tk._("Sign in first"))
    return _may_see(context, data_dict, id_key)


def _may_manage(context, issue):
    return _result(visibility.manages(issue.id, _viewer(context)),
                   tk._("Only the organization's editors and admins may "
                        "manage this issue"))


def _anonymous_allowed(context):
    return bool(context.get("user")) or tk.config.get(
        "ckanext.helpdesk.allow_anonymous")


@tk.auth_allow_anonymous_access
def helpdesk_category_list(context, data_dict):
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_issue_create(context, data_dict):
    """Signed-in users (anonymous ones when the operator allows it), on a
    dataset they may see or, for a data request, on an organization."""
    if not _anonymous_allowed(context):
        return _result(False, tk._("Sign in to report an issue"))
    dataset = model.Package.get(data_dict.get("dataset_id") or "")
    if dataset is None:
        # A data request (or an unknown dataset the validation reports).
        return _result(True)
    return _result(visibility.can_see_dataset(dataset.id, _viewer(context)),
                   tk._("Not authorized to see this dataset"))


@tk.auth_allow_anonymous_access
def helpdesk_issue_show(context, data_dict):
    return _may_see(context, data_dict)


def helpdesk_issue_update(context, data_dict):
    """Managers change anything; the reporter may edit the title and
    description of their issue; either may reply with the change."""
    issue = issue_from(data_dict)
    viewer = _viewer(context)
    if not visibility.is_visible(issue.id, viewer):
        return _result(False, tk._("Not authorized to see this issue"))
    if visibility.manages(issue.id, viewer):
        return _result(True)
    is_reporter = bool(viewer.user_id) and issue.reporter_id == viewer.user_id
    managing = [field for field in MANAGING_FIELDS if field in data_dict]
    if managing or not is_reporter:
        return _result(False, tk._("Not authorized to change {0}").format(
            ", ".join(managing) or tk._("this issue")))
    return _result(True)


def helpdesk_issue_delete(context, data_dict):
    return _result(False, tk._("Only sysadmins may delete issues"))


def helpdesk_issue_hide(context, data_dict):
    return _may_manage(context, issue_from(data_dict))


@tk.auth_allow_anonymous_access
def helpdesk_issue_search(context, data_dict):
    """Everyone: the results are limited to what the caller may see."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_issue_counts(context, data_dict):
    """Everyone: only issues the caller may see are counted."""
    return _result(True)


@tk.auth_allow_anonymous_access
def helpdesk_comment_create(context, data_dict):
    """Whoever may see the issue (anonymous visitors when allowed);
    internal notes only its managers."""
    if not _anonymous_allowed(context):
        return _result(False, tk._("Sign in to comment"))
    seen = _may_see(context, data_dict, "issue_id")
    if not seen["success"] or not tk.asbool(data_dict.get("internal")):
        return seen
    return _may_manage(context, issue_from(data_dict, "issue_id"))


def helpdesk_comment_update(context, data_dict):
    """The author of a comment, while they may still see its issue."""
    comment = comment_from(data_dict)
    viewer = _viewer(context)
    if not viewer.user_id or comment.author_id != viewer.user_id:
        return _result(False, tk._("Only the author may edit a comment"))
    return _may_see(context, {"id": comment.issue_id})


def helpdesk_comment_hide(context, data_dict):
    comment = comment_from(data_dict)
    return _may_manage(context, issue_from({"id": comment.issue_id}))


@tk.auth_allow_anonymous_access
def helpdesk_comment_list(context, data_dict):
    """Whoever may see the issue; the action filters internal and hidden
    comments."""
    return _may_see(context, data_dict, "issue_id")


@tk.auth_allow_anonymous_access
def helpdesk_event_list(context, data_dict):
    return _may_see(context, data_dict, "issue_id")


def helpdesk_issue_vote(context, data_dict):
    return _signed_in_may_see(context, data_dict)


def helpdesk_issue_unvote(context, data_dict):
    return helpdesk_issue_vote(context, data_dict)


def helpdesk_issue_subscribe(context, data_dict):
    return _signed_in_may_see(context, data_dict)


def helpdesk_issue_unsubscribe(context, data_dict):
    return helpdesk_issue_subscribe(context, data_dict)


def helpdesk_abuse_report_create(context, data_dict):
    return _signed_in_may_see(context, data_dict, "issue_id")


def helpdesk_abuse_report_list(context, data_dict):
    """Organization admins (the action lists the reports about their
    organizations' issues)."""
    return _result(visibility.moderates_any(_viewer(context)),
                   tk._("Only organization admins may moderate"))


def helpdesk_abuse_report_resolve(context, data_dict):
    """The admins of the organization the reported issue belongs to."""
    report = model.Session.get(AbuseReport, data_dict.get("id") or "")
    if report is None:
        # Moderators learn it does not exist (from the action); others
        # are refused as for any report.
        return helpdesk_abuse_report_list(context, data_dict)
    return _result(visibility.moderates(report.issue_id, _viewer(context)),
                   tk._("Only the organization's admins may moderate "
                        "this report"))


def helpdesk_assignee_list(context, data_dict):
    """The editors and admins of the organization."""
    organization = model.Group.get(data_dict.get("organization_id") or "")
    if organization is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return _result(
        visibility.holds(_viewer(context), organization.id,
                         visibility.MANAGER_CAPACITIES),
        tk._("Only the organization's editors and admins see its members"))
