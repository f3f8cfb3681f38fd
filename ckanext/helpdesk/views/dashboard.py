"""Issue queues: the publisher's /dashboard/issues (every organization the
user edits), an organization's Issues tab, the portal-wide /issues, and the
bulk status change they share. For someone who edits no organization,
/dashboard/issues is "My issues": what they reported, subscribed to or
+1'd."""
from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ckanext.helpdesk.views.common import AGES, call, http_errors, \
    safe_next, search_filters, search_page, visible_organization

queue = Blueprint("helpdesk_queue", __name__)

BULK_SIZE = 100  # issues changed by one bulk POST (a page holds 20)


def _render_queue(template, filters, endpoint, extra_vars, **url_args):
    filters = dict(search_filters(tk.request.args), **filters)
    if "status" not in tk.request.args:
        filters["status"] = "open"  # a work queue: what is still to do
    result, pager = search_page(filters, endpoint, **url_args)
    return tk.render(template, dict(
        extra_vars, result=result, page=pager, ages=AGES,
        filters=dict(tk.request.args), endpoint=endpoint, url_args=url_args))


@queue.route("/dashboard/issues")
@http_errors
def dashboard():
    if not current_user.is_authenticated:
        return tk.redirect_to("user.login")
    orgs = call("organization_list_for_user", id=current_user.id,
                permission="update_dataset")
    # user/dashboard.html shows whose dashboard it is.
    page_vars = {"user_dict": call("user_show", id=current_user.id),
                 "is_myself": True, "can_triage": True}
    if not orgs:
        return _my_issues(page_vars)
    return _render_queue("helpdesk/dashboard_issues.html",
                         _organizations_filter(orgs),
                         "helpdesk_queue.dashboard", page_vars)


def _my_issues(page_vars):
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


def _organizations_filter(orgs):
    """Sysadmins edit every organization: no filter (cheaper than naming
    them all). Others: their organizations, as a comma list."""
    if current_user.sysadmin:
        return {}
    return {"organization_id": ",".join(org["id"] for org in orgs)}


@queue.route("/organization/<id>/issues")
@http_errors
def organization(id):
    org = visible_organization(id)
    can_triage = tk.h.check_access("helpdesk_assignee_list",
                                   {"organization_id": org["id"]})
    return _render_queue("helpdesk/organization_issues.html",
                         {"organization_id": org["id"]},
                         "helpdesk_queue.organization",
                         {"group_dict": org, "group_type": org["type"],
                          "can_triage": can_triage},
                         id=org["name"])


@queue.route("/issues")
@http_errors
def portal():
    organization_id = tk.request.args.get("organization_id")
    filters = {"organization_id": organization_id} if organization_id else {}
    if tk.request.args.get("reporter") == "me":
        if not current_user.is_authenticated:
            return tk.redirect_to("user.login",
                                  came_from=tk.request.full_path)
        filters["reporter"] = current_user.id
    return _render_queue("helpdesk/all_issues.html", filters,
                         "helpdesk_queue.portal",
                         {"can_triage": False,
                          "reporter_filter": current_user.is_authenticated})


@queue.route("/helpdesk/issues/bulk", methods=["POST"])
@http_errors
def bulk_status():
    """Give every ticked issue the chosen status; the queue reports how
    many changed and how many were refused."""
    status = tk.request.form.get("status", "")
    issue_ids = list(dict.fromkeys(tk.request.form.getlist("issue_id")))
    if len(issue_ids) > BULK_SIZE:
        return tk.abort(400, tk._("issue_id: at most {0} issues at once")
                        .format(BULK_SIZE))
    refused = 0
    for issue_id in issue_ids:
        try:
            call("helpdesk_issue_update", id=issue_id, status=status)
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
            refused += 1
    _flash_bulk_result(len(issue_ids) - refused, refused)
    return tk.redirect_to(safe_next(tk.h.url_for("helpdesk_queue.dashboard")))


def _flash_bulk_result(changed, refused):
    if changed:
        tk.h.flash_success(tk.ungettext(
            "{n} issue changed.", "{n} issues changed.", changed
        ).format(n=changed))
    if refused:
        tk.h.flash_error(tk.ungettext(
            "{n} issue could not be changed.",
            "{n} issues could not be changed.", refused).format(n=refused))
