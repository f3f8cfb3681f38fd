"""The moderation queue of reported (and held) issues and comments: the
sysadmin's under /ckan-admin, an organization admin's on their dashboard,
each listing the reports its viewer moderates. Each decision is confirmed
by a message naming it, with an undo."""
from __future__ import annotations

from typing import Any

import flask
from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk.helpers import helpdesk_issue_ref
from ckanext.helpdesk.views.common import call, http_errors, safe_next

moderation = Blueprint("helpdesk_moderation", __name__)

RESOLUTIONS = ("dismiss", "hide", "show")
# Session key: the last decision of this browser, shown once with its undo.
DECISION_UNDO = "helpdesk_moderation_undo"


def _render(extra_vars: dict[str, Any]) -> str:
    return tk.render("helpdesk/moderation.html", dict(
        extra_vars, reports=call("helpdesk_abuse_report_list"),
        undo=flask.session.pop(DECISION_UNDO, None)))


@moderation.route("/ckan-admin/helpdesk/reports")
@http_errors
def reports() -> str:
    return _render({"base_template": "admin/base.html"})


@moderation.route("/dashboard/helpdesk/reports")
@http_errors
def dashboard() -> str | Response:
    """The organization admin's queue: reports about their issues."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    return _render({
        "base_template": "user/dashboard.html",
        # user/dashboard.html shows whose dashboard it is.
        "user_dict": call("user_show", id=tk.current_user.id),
        "is_myself": True})


@moderation.route("/ckan-admin/helpdesk/reports/<report_id>/resolve",
                  methods=["POST"])
@http_errors
def resolve(report_id: str) -> Response:
    action = tk.request.form.get("action")
    if action not in RESOLUTIONS:
        return tk.abort(400, tk._("action: choose to dismiss, hide or show."))
    report = _open_report(report_id)
    # The action decides who may resolve which report (403, 404).
    call("helpdesk_abuse_report_resolve", id=report_id, action=action)
    if report is not None:
        # The queue confirms the decision, naming it, with its undo.
        flask.session[DECISION_UNDO] = {
            "report_id": report_id, "hidden": report["hidden"],
            "message": _decision_message(action, report)}
    return tk.redirect_to(safe_next(
        tk.h.url_for("helpdesk_moderation.reports")))


def _open_report(report_id: str) -> dict[str, Any] | None:
    """The open report as the caller's queue lists it (what it reports,
    whether that is hidden now), or None."""
    try:
        reports = call("helpdesk_abuse_report_list")
    except tk.NotAuthorized:
        return None
    return next((report for report in reports if report["id"] == report_id),
                None)


def _decision_message(action: str, report: DataDict) -> str:
    what = (tk._("the comment by {author} on {ref}") if report["comment_id"]
            else tk._("the issue {ref} by {author}")).format(
        author=report["author"] or tk._("a visitor"),
        ref=helpdesk_issue_ref({"dataset_id": report["dataset_id"],
                                "dataset_name": report["dataset_name"],
                                "number": report["issue_number"]}))
    return {
        "hide": tk._("Hidden: {what}."),
        "show": tk._("Shown: {what}."),
        "dismiss": tk._("Report dismissed; left as it is: {what}."),
    }[action].format(what=what)


@moderation.route("/ckan-admin/helpdesk/reports/<report_id>/undo",
                  methods=["POST"])
@http_errors
def undo(report_id: str) -> Response:
    """Reopen the reports closed by a decision and put what they report
    back as it was (the form says whether it was hidden)."""
    call("helpdesk_abuse_report_reopen", id=report_id,
         hidden=tk.request.form.get("hidden", ""))
    tk.h.flash_success(tk._("Undone: the report is back in the queue."))
    return tk.redirect_to(safe_next(
        tk.h.url_for("helpdesk_moderation.reports")))
