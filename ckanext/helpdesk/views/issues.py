"""Issue pages: a dataset's issue list, the report form (and the open
issues like the one being typed), the confirmation, the issue page and
every change made from it (each one a POST)."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk import ratelimit
from ckanext.helpdesk.helpers import helpdesk_allow_anonymous, \
    helpdesk_categories, helpdesk_issue_url, helpdesk_latest_issues, \
    helpdesk_markdown
from ckanext.helpdesk.logic import schema, text
from ckanext.helpdesk.views.common import call, form_data, form_status, \
    http_errors, refuse_spam, safe_next, search_filters, search_page, \
    visible_dataset, visible_organization

helpdesk = Blueprint("helpdesk", __name__)
# Every answer to a request a rate limit refused (pages, the Action API)
# becomes 429 with Retry-After.
helpdesk.after_app_request(ratelimit.answer_too_many)

REPORT_FIELDS = ("category", "title", "description", "resource_id",
                 "reporter_name", "reporter_email")
DATA_REQUEST = "data-request"
# Open issues suggested under the report form's title as it is typed, and
# the words of the title they are searched with.
SIMILAR = 5
ACTIONS = "helpdesk-actions"  # the issue page's +1 and subscribe buttons
SIMILAR_WORDS = 12


def _visible_issue(**key: Any) -> DataDict:
    """The issue, or 404 for one the user may not see (hidden, or on a
    private dataset): its existence is not told."""
    try:
        return call("helpdesk_issue_show", **key)
    except tk.NotAuthorized:
        raise tk.ObjectNotFound() from None


def _may_report() -> bool:
    return tk.current_user.is_authenticated or helpdesk_allow_anonymous()


def _sign_in_to_report() -> tuple[str, int]:
    return tk.render("helpdesk/sign_in_to_report.html"), 403


# -- lists and forms -------------------------------------------------------

@helpdesk.route("/dataset/<id>/issues")
@http_errors
def dataset_issues(id: str) -> str:
    pkg = visible_dataset(id)
    filters = search_filters(tk.request.args, ("status", "category", "q"))
    if "status" not in tk.request.args:
        filters["status"] = "open"  # open first: what a visitor looks for
    result, pager = search_page(dict(filters, dataset_id=pkg["id"]),
                                "helpdesk.dataset_issues",
                                id=pkg["name"])
    return tk.render("helpdesk/dataset_issues.html", {
        "pkg_dict": pkg, "result": result, "page": pager,
        "filters": dict(tk.request.args)})


@helpdesk.route("/dataset/<id>/issues/latest")
@http_errors
def latest_issues(id: str) -> str:
    """The dataset page's list of the latest open issues, fetched after the
    page (with htmx) so the page itself costs one count query."""
    pkg = visible_dataset(id)
    return tk.render("helpdesk/snippets/latest_issues.html",
                     dict(helpdesk_latest_issues(pkg["id"]), pkg=pkg))


@helpdesk.route("/dataset/<id>/issues/new", methods=["GET", "POST"])
@http_errors
def new_issue(id: str) -> str | Response | tuple[str, int]:
    pkg = visible_dataset(id)
    if not _may_report():
        return _sign_in_to_report()
    return _report_form(
        {"dataset_id": pkg["id"]},
        {"pkg_dict": pkg, "base_template": "package/read_base.html",
         "action_url": tk.h.url_for("helpdesk.new_issue", id=pkg["name"]),
         "similar_url": tk.h.url_for("helpdesk.similar_issues",
                                     id=pkg["name"])})


@helpdesk.route("/organization/<id>/issues/request",
                methods=["GET", "POST"])
@http_errors
def new_data_request(id: str) -> str | Response | tuple[str, int]:
    org = visible_organization(id)
    if not _may_report():
        return _sign_in_to_report()
    return _report_form(
        {"organization_id": org["id"], "category": DATA_REQUEST},
        {"group_dict": org, "group_type": org["type"],
         "base_template": "organization/read_base.html",
         "action_url": tk.h.url_for("helpdesk.new_data_request",
                                    id=org["name"]),
         "similar_url": tk.h.url_for("helpdesk.similar_requests",
                                     id=org["name"])})


@helpdesk.route("/dataset/<id>/issues/similar")
@http_errors
def similar_issues(id: str) -> str:
    """The dataset's open issues like the title being typed on its report
    form (fetched by assets/similar.js as it is typed)."""
    pkg = visible_dataset(id)
    return _similar({"dataset_id": pkg["id"]})


@helpdesk.route("/organization/<id>/issues/similar")
@http_errors
def similar_requests(id: str) -> str:
    """The organization's open data requests like the title being typed."""
    org = visible_organization(id)
    return _similar({"organization_id": org["id"], "category": DATA_REQUEST})


def _similar(scope: dict[str, str]) -> str:
    """The open issues of the scope sharing any word with the title (full
    text search, most +1s first): the suggestions list of the form."""
    words = re.findall(r"\w{2,}", tk.request.args.get("title", "")[:500])
    issues = []
    if words:
        issues = call("helpdesk_issue_search", status="open", sort="votes",
                      q=" or ".join(words[:SIMILAR_WORDS]), limit=SIMILAR,
                      facets=False, **scope)["results"]
    return tk.render("helpdesk/snippets/similar_issues.html",
                     {"issues": issues})


def _report_form(
    target: dict[str, str], extra_vars: dict[str, Any]
) -> str | Response | tuple[str, int]:
    """Show the report form; on POST create the issue, or show the form
    again with what was typed and each error beside its field (or above
    the form: a refused bot's post, a rate limit)."""
    is_data_request = "organization_id" in target
    data, errors = {}, {}
    if tk.request.method == "POST":
        data = form_data()
        fields = {key: data[key] for key in REPORT_FIELDS if data.get(key)}
        try:
            refuse_spam()
            if fields.get("category") == DATA_REQUEST and not is_data_request:
                raise tk.ValidationError({"category": [tk._(
                    "Data is requested from the organization: use its "
                    "Request data page.")]})
            issue = call("helpdesk_issue_create", **dict(fields, **target))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            if issue["hidden"]:
                # Held for moderation: its page would be a 404 to its
                # author, who is told here instead.
                return tk.render("helpdesk/reported.html", {"issue": issue})
            return tk.redirect_to("helpdesk.reported", issue_id=issue["id"])
    # A dataset's form offers no "data request": that is asked of the
    # organization.
    categories = [category for category in helpdesk_categories()
                  if category["code"] != DATA_REQUEST]
    return tk.render("helpdesk/issue_form.html", dict(
        extra_vars, data=data, errors=errors, categories=categories,
        is_data_request=is_data_request)), form_status(errors)


@helpdesk.route("/helpdesk/issues/<issue_id>/reported")
@http_errors
def reported(issue_id: str) -> str:
    issue = _visible_issue(id=issue_id)
    return tk.render("helpdesk/reported.html", {"issue": issue})


# -- the issue page ----------------------------------------------------------

@helpdesk.route("/dataset/<id>/issues/<int:number>")
@http_errors
def dataset_issue(id: str, number: int) -> tuple[str, int]:
    pkg = visible_dataset(id)
    issue = _visible_issue(dataset_id=pkg["id"], number=number)
    return _issue_page(issue)


@helpdesk.route("/organization/<id>/requests/<int:number>")
@http_errors
def data_request(id: str, number: int) -> tuple[str, int]:
    org = visible_organization(id)
    issue = _visible_issue(organization_id=org["id"], number=number)
    return _issue_page(issue)


@helpdesk.route("/helpdesk/issues/<issue_id>")
@http_errors
def issue_by_id(issue_id: str) -> tuple[str, int] | Response:
    """Where lists that know only the id (moderation) link to; the page
    itself of an issue whose dataset was purged."""
    issue = _visible_issue(id=issue_id)
    if _dataset_purged(issue):
        return _issue_page(issue)
    return tk.redirect_to(helpdesk_issue_url(issue))


def _dataset_purged(issue: DataDict) -> bool:
    return bool(issue["dataset_id"]) and not issue["dataset_name"]


def _issue_page(issue: DataDict, status: int = 200,
                **form_state: Any) -> tuple[str, int]:
    """Render the issue page; form_state carries a refused form's typed
    values and errors (comment_data/comment_errors,
    triage_data/triage_errors)."""
    extra_vars = dict(form_state, issue=issue, timeline=_timeline(issue),
                      assignees=_assignees(issue))
    if tk.current_user.is_authenticated:
        # What the page shows is no longer news for its reader.
        call("helpdesk_issue_seen", id=issue["id"])
    extra_vars["can_triage"] = extra_vars["assignees"] is not None
    if issue["dataset_id"] and not _dataset_purged(issue):
        extra_vars.update(pkg_dict=visible_dataset(issue["dataset_id"]),
                          base_template="package/read_base.html")
    else:
        org = visible_organization(issue["organization_id"])
        extra_vars.update(group_dict=org, group_type=org["type"],
                          base_template="organization/read_base.html")
    return tk.render("helpdesk/issue_read.html", extra_vars), status


def _timeline(issue: DataDict) -> list[dict[str, Any]]:
    """Comments and events in one chronological conversation."""
    comments = [dict(c, entry="comment")
                for c in call("helpdesk_comment_list", issue_id=issue["id"])]
    events = [dict(e, entry="event")
              for e in call("helpdesk_event_list", issue_id=issue["id"])]
    return sorted(comments + events, key=lambda entry: entry["created"])


def _assignees(issue: DataDict) -> list[dict[str, Any]] | None:
    """The organization's members for the assignee menu, or None for
    someone who may not triage (only editors/admins may list them)."""
    try:
        return call("helpdesk_assignee_list",
                    organization_id=issue["organization_id"])
    except tk.NotAuthorized:
        return None


# -- changes made from the issue page ----------------------------------------

def _issue(issue_id: str) -> DataDict:
    return call("helpdesk_issue_show", id=issue_id)


@helpdesk.route("/helpdesk/issues/<issue_id>/comment", methods=["POST"])
@http_errors
def comment(issue_id: str) -> Response | tuple[str, int]:
    issue = _issue(issue_id)
    data = form_data()
    fields = {key: data[key] for key in ("body", "author_name",
                                         "author_email") if data.get(key)}
    try:
        refuse_spam()
        comment = call("helpdesk_comment_create", issue_id=issue["id"],
                       internal=bool(data.get("internal")), **fields)
    except tk.ValidationError as error:
        return _issue_page(issue, status=form_status(error.error_dict, 400),
                           comment_data=data,
                           comment_errors=error.error_dict)
    if comment["hidden"]:
        tk.h.flash_notice(tk._("Thank you: your comment will be shown once "
                               "a moderator has read it."))
    return tk.redirect_to(helpdesk_issue_url(issue, _anchor="comments"))


@helpdesk.route("/helpdesk/issues/<issue_id>/triage", methods=["POST"])
@http_errors
def triage(issue_id: str) -> Response | tuple[str, int]:
    """The publisher's composer (a reply or an internal note, with status
    and assignee) and the triage panel (duplicate-of) post here."""
    issue = _issue(issue_id)
    # Only those shown the triage form may post it (its errors are shown
    # beside its fields).
    tk.check_access("helpdesk_assignee_list", {},
                    {"organization_id": issue["organization_id"]})
    data = form_data()
    if data.get("resolve"):
        data["status"] = "resolved"  # "Reply and resolve"
    try:
        changes = _triage_changes(issue, data)
        if changes:
            call("helpdesk_issue_update", id=issue["id"], **changes)
    except tk.ValidationError as error:
        return _issue_page(issue, status=400, triage_data=data,
                           triage_errors=error.error_dict)
    tk.h.flash_success(_triage_message(changes))
    return tk.redirect_to(helpdesk_issue_url(issue))


def _triage_message(changes: dict[str, Any]) -> str:
    if "comment" not in changes:
        return tk._("The issue was updated.")
    if changes.get("internal"):
        return tk._("Your internal note was added: only the organization "
                    "sees it.")
    if changes.get("status") == "resolved":
        return tk._("Your reply was posted and the issue resolved.")
    return tk._("Your reply was posted.")


def _triage_changes(issue: DataDict,
                    data: dict[str, str]) -> dict[str, Any]:
    """Only what the form changes, so the timeline records no non-events
    (a form without a field leaves its value alone)."""
    changes: dict[str, Any] = {}
    if data.get("status", issue["status"]) != issue["status"]:
        changes["status"] = data["status"]
    if data.get("assignee", issue["assignee"] or "") != (issue["assignee"]
                                                         or ""):
        changes["assignee"] = data["assignee"]
    if "duplicate_of" in data:
        duplicate = data["duplicate_of"].lstrip("#")
        if duplicate != str(issue["duplicate_of_number"] or ""):
            changes["duplicate_of"] = _duplicate_of_id(issue, duplicate)
    if data.get("comment"):
        changes["comment"] = data["comment"]
        changes["internal"] = data.get("internal") == "1"
    return changes


def _duplicate_of_id(issue: DataDict, number: str) -> str:
    """The id of the issue numbered `number` in the same dataset (or
    organization, for data requests); "" for none."""
    if not number:
        return ""
    scope = ({"dataset_id": issue["dataset_id"]} if issue["dataset_id"]
             else {"organization_id": issue["organization_id"]})
    try:
        return call("helpdesk_issue_show", number=int(number), **scope)["id"]
    except (ValueError, tk.ObjectNotFound, tk.ValidationError):
        raise tk.ValidationError(
            {"duplicate_of": [tk._("No issue with this number.")]}) from None


@helpdesk.route("/helpdesk/issues/<issue_id>/reopen", methods=["POST"])
@http_errors
def reopen(issue_id: str) -> Response:
    """The reporter's Reopen button; a refusal (the issue is open
    already, the reason too long) is a 400 naming the field."""
    issue = _issue(issue_id)
    call("helpdesk_issue_reopen", id=issue["id"],
         comment=form_data().get("comment", ""))
    tk.h.flash_success(tk._("The issue was reopened: the publisher is "
                            "told."))
    return tk.redirect_to(helpdesk_issue_url(issue))


@helpdesk.route("/helpdesk/issues/<issue_id>/vote", methods=["POST"])
@http_errors
def vote(issue_id: str) -> Response:
    issue = _issue(issue_id)
    verb = "vote" if tk.request.form.get("vote") == "1" else "unvote"
    call("helpdesk_issue_" + verb, id=issue["id"])
    # Back where the button was (a full-page POST, without htmx).
    return tk.redirect_to(helpdesk_issue_url(issue, _anchor=ACTIONS))


@helpdesk.route("/helpdesk/issues/<issue_id>/subscribe", methods=["POST"])
@http_errors
def subscribe(issue_id: str) -> Response:
    issue = _issue(issue_id)
    verb = ("subscribe" if tk.request.form.get("subscribe") == "1"
            else "unsubscribe")
    call("helpdesk_issue_" + verb, id=issue["id"])
    # Back where the button was (a full-page POST, without htmx).
    return tk.redirect_to(helpdesk_issue_url(issue, _anchor=ACTIONS))


@helpdesk.route("/helpdesk/issues/<issue_id>/hide", methods=["POST"])
@http_errors
def hide_issue(issue_id: str) -> Response:
    issue = _issue(issue_id)
    call("helpdesk_issue_hide", id=issue["id"],
         hidden=tk.request.form.get("hidden") == "1")
    return tk.redirect_to(helpdesk_issue_url(issue))


@helpdesk.route("/helpdesk/comments/<comment_id>/hide", methods=["POST"])
@http_errors
def hide_comment(comment_id: str) -> Response:
    call("helpdesk_comment_hide", id=comment_id,
         hidden=tk.request.form.get("hidden") == "1")
    return tk.redirect_to(safe_next(tk.h.url_for("helpdesk_queue.portal")))


@helpdesk.route("/helpdesk/issues/<issue_id>/report", methods=["POST"])
@http_errors
def report_abuse(issue_id: str) -> Response:
    issue = _issue(issue_id)
    try:
        call("helpdesk_abuse_report_create", issue_id=issue["id"],
             reason=tk.request.form.get("reason", ""),
             comment_id=tk.request.form.get("comment_id", ""))
    except ratelimit.RateLimited:
        raise  # answered 429 by http_errors
    except tk.ValidationError:
        tk.h.flash_error(tk._("Please say what is wrong with it."))
    else:
        tk.h.flash_success(tk._("Thank you: a moderator will look at it."))
    return tk.redirect_to(helpdesk_issue_url(issue))


@helpdesk.route("/helpdesk/preview", methods=["POST"])
@http_errors
def preview() -> str:
    """The Markdown of the form's description or comment, rendered (and
    sanitised) exactly as the issue page will show it; for those who may
    report, and no longer than a stored text may be."""
    if not _may_report():
        return tk.abort(403, tk._("Not authorized"))
    ratelimit.check({"user": tk.current_user.name
                     if tk.current_user.is_authenticated else ""}, "previews")
    source = tk.request.form.get("text", "")
    error = text.problem(source, schema.TEXT_LENGTH, multiline=True)
    if error:
        return tk.abort(400, f"text: {error}")
    return str(helpdesk_markdown(source))
