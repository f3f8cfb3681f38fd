"""Issue queues: the publisher's /dashboard/issues (every organization the
user edits), an organization's Issues tab, the portal-wide /issues, and the
bulk status change they share (with its undo). For someone who edits no
organization, /dashboard/issues is "My issues": what they reported,
subscribed to or +1'd."""
from __future__ import annotations

from typing import Any

import flask
from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk.helpers import helpdesk_issue_ref
from ckanext.helpdesk.views.common import AGES, call, http_errors, \
    safe_next, search_filters, search_page, visible_organization

queue = Blueprint("helpdesk_queue", __name__)

BULK_SIZE = 100  # issues changed by one bulk POST (a page holds 20)
# Session key: the last bulk change of this browser, shown once on the
# queue with its undo.
BULK_UNDO = "helpdesk_bulk_undo"


def _render_queue(template: str, filters: dict[str, Any], endpoint: str,
                  extra_vars: dict[str, Any], **url_args: Any) -> str:
    filters = dict(search_filters(tk.request.args), **filters)
    if "status" not in tk.request.args:
        filters["status"] = "open"  # a work queue: what is still to do
    result, pager = search_page(filters, endpoint, **url_args)
    return tk.render(template, dict(
        extra_vars, result=result, page=pager, ages=AGES,
        status_facets=_status_facets(filters, result),
        bulk_undo=flask.session.pop(BULK_UNDO, None),
        filters=dict(tk.request.args), endpoint=endpoint, url_args=url_args))


def _status_facets(filters: dict[str, Any],
                   result: dict[str, Any]) -> dict[str, Any] | None:
    """The counts per status of the queue's other filters, whichever
    status is shown: the page's own facets when it shows every status,
    else one more facets-only search."""
    if filters.get("status") in (None, "all"):
        return result.get("facets")
    unfiltered = {key: value for key, value in filters.items()
                  if key not in ("status", "sort")}
    return call("helpdesk_issue_search", limit=0, **unfiltered).get("facets")


@queue.route("/dashboard/issues")
@http_errors
def dashboard() -> str | Response:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    orgs = call("organization_list_for_user", id=tk.current_user.id,
                permission="update_dataset")
    # user/dashboard.html shows whose dashboard it is.
    page_vars = {"user_dict": call("user_show", id=tk.current_user.id),
                 "is_myself": True, "can_triage": True}
    if not orgs:
        return _my_issues(page_vars)
    return _render_queue("helpdesk/dashboard_issues.html",
                         _organizations_filter(orgs),
                         "helpdesk_queue.dashboard", page_vars)


def _my_issues(page_vars: dict[str, Any]) -> str:
    """The issues the user follows, most recently updated first, each
    flagged when it changed since they last looked (?unread=1: only
    those)."""
    filters = dict(search_filters(tk.request.args), following=True)
    filters.setdefault("sort", "updated")
    if tk.request.args.get("unread"):
        filters["unread"] = True
    result, pager = search_page(filters, "helpdesk_queue.dashboard")
    return tk.render("helpdesk/my_issues.html", dict(
        page_vars, result=result, page=pager,
        filters=dict(tk.request.args, sort=filters["sort"])))


def _organizations_filter(orgs: list[DataDict]) -> dict[str, str]:
    """Sysadmins edit every organization: no filter (cheaper than naming
    them all). Others: their organizations, as a comma list."""
    if tk.current_user.sysadmin:
        return {}
    return {"organization_id": ",".join(org["id"] for org in orgs)}


@queue.route("/organization/<id>/issues")
@http_errors
def organization(id: str) -> str:
    org = visible_organization(id)
    can_triage = tk.h.check_access("helpdesk_assignee_list",
                                   {"organization_id": org["id"]})
    return _render_queue("helpdesk/organization_issues.html",
                         {"organization_id": org["id"]},
                         "helpdesk_queue.organization",
                         {"group_dict": org, "group_type": org["type"],
                          "can_triage": can_triage},
                         id=org["name"])


def portal_filters() -> dict[str, Any] | None:
    """The filters of /issues besides the common ones: an organization,
    and reporter=me (what the user reported); None when a visitor asks
    for reporter=me, who is to sign in first."""
    organization_id = tk.request.args.get("organization_id")
    filters = {"organization_id": organization_id} if organization_id else {}
    if tk.request.args.get("reporter") == "me":
        if not tk.current_user.is_authenticated:
            return None
        filters["reporter"] = tk.current_user.id
    return filters


def sign_in_first() -> Response:
    return tk.redirect_to("user.login", came_from=tk.request.full_path)


@queue.route("/issues")
@http_errors
def portal() -> str | Response:
    filters = portal_filters()
    if filters is None:
        return sign_in_first()
    return _render_queue("helpdesk/all_issues.html", filters,
                         "helpdesk_queue.portal",
                         {"can_triage": False,
                          "reporter_filter": tk.current_user.is_authenticated})


@queue.route("/helpdesk/issues/bulk", methods=["POST"])
@http_errors
def bulk_status() -> Response:
    """Give every ticked issue the chosen status (there is no default: an
    Apply without a choice changes nothing); the queue names what changed,
    offers to undo it, and counts what was refused."""
    status = tk.request.form.get("status", "")
    if not status:
        return tk.abort(400, tk._(
            "status: choose the status to give the selected issues"))
    issue_ids = list(dict.fromkeys(tk.request.form.getlist("issue_id")))
    if len(issue_ids) > BULK_SIZE:
        return tk.abort(400, tk._("issue_id: at most {0} issues at once")
                        .format(BULK_SIZE))
    changed, refused = [], 0
    for issue_id in issue_ids:
        try:
            before = call("helpdesk_issue_show", id=issue_id)
            if before["status"] != status:
                call("helpdesk_issue_update", id=issue_id, status=status)
                changed.append(_undo_entry(before))
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
            refused += 1
    if changed:
        # The queue names what changed, with its undo.
        flask.session[BULK_UNDO] = {"status": status, "issues": changed}
    _flash_refused(refused)
    return tk.redirect_to(safe_next(tk.h.url_for("helpdesk_queue.dashboard")))


def _undo_entry(issue: DataDict) -> dict[str, str]:
    """What undoing the change of one issue needs: its previous status
    (and, for a duplicate, the original it pointed to)."""
    return {"id": issue["id"], "ref": helpdesk_issue_ref(issue),
            "status": issue["status"],
            "duplicate_of": issue["duplicate_of_id"] or ""}


@queue.route("/helpdesk/issues/bulk/undo", methods=["POST"])
@http_errors
def bulk_undo() -> Response:
    """Put the issues of a bulk change back to their previous status. The
    form carries "id:status:original" per issue; each is an ordinary
    change the caller must be allowed to make."""
    restored, refused = [], 0
    for entry in tk.request.form.getlist("restore")[:BULK_SIZE]:
        issue_id, _sep, rest = entry.partition(":")
        status, _sep, duplicate_of = rest.partition(":")
        changes = {"status": status}
        if status == "duplicate":
            changes["duplicate_of"] = duplicate_of
        try:
            issue = call("helpdesk_issue_update", id=issue_id, **changes)
            restored.append(helpdesk_issue_ref(issue))
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
            refused += 1
    if restored:
        tk.h.flash_success(tk._("Undone: {issues} are back to their "
                                "previous status.").format(
            issues=", ".join(restored)))
    _flash_refused(refused)
    return tk.redirect_to(safe_next(tk.h.url_for("helpdesk_queue.dashboard")))


def _flash_refused(refused: int) -> None:
    if refused:
        tk.h.flash_error(tk.ungettext(
            "{n} issue could not be changed.",
            "{n} issues could not be changed.", refused).format(n=refused))
