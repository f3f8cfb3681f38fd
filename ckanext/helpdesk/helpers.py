"""Template helpers, registered by the plugin's blanket."""
from __future__ import annotations

import datetime
import math
from typing import Any, Callable, Iterable

# CKAN's helpers format numbers and dates for the locale, not shares.
import flask_babel
from markupsafe import Markup

import ckan.plugins.toolkit as tk
from ckan.types import DataDict

from ckanext.helpdesk import cache, readiness, rendering, spam, visibility
from ckanext.helpdesk.logic import moderation
from ckanext.helpdesk.mailin import addresses
from ckanext.helpdesk.model import OPEN_STATUSES, REOPENABLE_STATUSES, \
    Issue, reopens

LATEST_ISSUES = 3  # on the dataset page
# Answered issues it takes before a typical response time is shown: one
# or two quick (or slow) answers say little of the next one.
RESPONSE_TIME_SAMPLE = 3

__all__ = [
    "helpdesk_dataset_counts", "helpdesk_latest_issues",
    "helpdesk_htmx_available", "helpdesk_categories",
    "helpdesk_category_label", "helpdesk_statuses", "helpdesk_status_label",
    "helpdesk_issue_url", "helpdesk_age", "helpdesk_allow_anonymous",
    "helpdesk_options", "helpdesk_status_options", "helpdesk_event_text",
    "helpdesk_markdown", "helpdesk_moderates", "helpdesk_spam_guard",
    "helpdesk_result_count", "helpdesk_unread_count", "helpdesk_issue_ref",
    "helpdesk_status_counts", "helpdesk_pending_reports",
    "helpdesk_status_meaning", "helpdesk_next_step",
    "helpdesk_typical_response", "helpdesk_may_reopen", "helpdesk_ready",
    "helpdesk_response_target", "helpdesk_duration", "helpdesk_percent",
    "helpdesk_write_in_address", "helpdesk_forward_routes",
    "helpdesk_issue_forwards", "helpdesk_webhook_list",
    "helpdesk_report_reason",
]


def helpdesk_ready() -> bool:
    """Whether CKAN's own pages may show the help desk: not before
    `ckan db upgrade -p helpdesk` made its tables."""
    return readiness.tables_ready()


def helpdesk_dataset_counts(dataset_id: str) -> dict[str, int]:
    """{"open": n, "total": n} of the issues the user may see on the
    dataset: one helpdesk_issue_counts call per request, shared by the
    Help Desk button and the dataset page's Help Desk section."""
    memo = tk.g.setdefault("helpdesk_counts", {})
    if dataset_id not in memo:
        memo[dataset_id] = _kept_for_visitors("counts", dataset_id,
                                              _issue_counts)
    return memo[dataset_id]


def helpdesk_latest_issues(dataset_id: str) -> dict[str, Any]:
    """{"issues": [...], "count": n}: the newest open issues of the
    dataset that the user may see, as the dataset page lists them. The
    count is the Help Desk button's, so the list costs a search of its
    rows alone (no count and facets of every open issue); visitors who
    are not signed in get both from Redis, as the counts."""
    return {"issues": _kept_for_visitors("latest", dataset_id,
                                         _latest_issues),
            "count": helpdesk_dataset_counts(dataset_id)["open"]}


def _latest_issues(dataset_id: str) -> list[DataDict]:
    return tk.get_action("helpdesk_issue_search")({}, {
        "dataset_id": dataset_id, "status": "open", "sort": "newest",
        "limit": LATEST_ISSUES, "facets": False})["results"]


def helpdesk_htmx_available() -> bool:
    """CKAN ships htmx from 2.11 on; on 2.10 the dataset page renders its
    latest issues itself rather than fetching them after the page."""
    return tk.check_ckan_version(min_version="2.11")


def _issue_counts(dataset_id: str) -> dict[str, int]:
    counts = tk.get_action("helpdesk_issue_counts")(
        {}, {"dataset_ids": [dataset_id]})
    return counts.get(dataset_id, {"open": 0, "total": 0})


VISITOR_CACHES = ("counts", "latest")


def forget_for_visitors(sender: Any, issue: Issue, **kwargs: Any) -> None:
    """A subscriber of the issue signals: the dataset's cached counts and
    latest issues are dropped as soon as one of its issues is reported or
    changed, so a hidden (or closed) issue leaves the visitors' dataset
    page at once, not when the cache expires."""
    if issue.dataset_id:
        forget_dataset_for_visitors(issue.dataset_id)


def forget_dataset_for_visitors(dataset_id: str) -> None:
    """Drop the dataset's counts and latest issues cached for visitors."""
    cache.forget(*((f"anonymous_{kind}", dataset_id)
                   for kind in VISITOR_CACHES))


def _kept_for_visitors(kind: str, dataset_id: str,
                       compute: Callable[[str], Any]) -> Any:
    """compute(dataset_id); for visitors who are not signed in, from Redis
    when computed in the last ckanext.helpdesk.anonymous_counts_cache
    seconds."""
    return cache.kept_for_visitors(
        kind, dataset_id, lambda: compute(dataset_id),
        tk.config.get("ckanext.helpdesk.anonymous_counts_cache"))


def helpdesk_categories() -> list[dict[str, Any]]:
    """[{code, name, description}], once per request."""
    if "helpdesk_categories" not in tk.g:
        tk.g.helpdesk_categories = tk.get_action("helpdesk_category_list")(
            {}, {})
    return tk.g.helpdesk_categories


def helpdesk_category_label(code: str) -> str:
    names = {c["code"]: c["name"] for c in helpdesk_categories()}
    return names.get(code, code)


def helpdesk_statuses() -> list[tuple[str, str]]:
    """[(code, label)] in workflow order."""
    return [
        ("new", tk._("New")),
        ("acknowledged", tk._("Acknowledged")),
        ("in_progress", tk._("In progress")),
        ("resolved", tk._("Resolved")),
        ("wont_fix", tk._("Won't fix")),
        ("duplicate", tk._("Duplicate")),
    ]


def helpdesk_status_label(code: str) -> str:
    return dict(helpdesk_statuses()).get(code, code)


def helpdesk_status_meaning(code: str) -> str:
    """What a status means, in one line for visitors."""
    return {
        "new": tk._("Reported; the publisher has not looked at it yet."),
        "acknowledged": tk._("The publisher has read it and agrees it "
                             "needs looking at."),
        "in_progress": tk._("The publisher is working on it."),
        "resolved": tk._("The publisher says it is fixed."),
        "wont_fix": tk._("The publisher will not change this; the "
                         "conversation says why."),
        "duplicate": tk._("Another issue reports the same thing; it is "
                          "followed there."),
    }.get(code, "")


def helpdesk_next_step(code: str) -> str:
    """What happens next to an issue in this status, for its reporter and
    anyone following it."""
    return {
        "new": tk._("The publisher has been told by email and will answer "
                    "here; whoever follows the issue is emailed each reply "
                    "and status change."),
        "acknowledged": tk._("The publisher will say here what they will "
                             "do about it."),
        "in_progress": tk._("You will be told here, and by email if you "
                            "follow the issue, when it is done."),
        "resolved": tk._("Nothing more, unless it is not fixed for you: "
                         "its reporter can then reopen it."),
        "wont_fix": tk._("Nothing more; its reporter can reopen it with "
                         "new information."),
        "duplicate": tk._("Follow the original issue: the publisher "
                          "answers there."),
    }.get(code, "")


def _response(organization_id: str) -> dict[str, Any]:
    """{"time": helpdesk_response_time's figure, "target_days": the
    effective target}: how the organization answers and what it promises,
    from public content only, so the same for every viewer. Kept in Redis
    for ckanext.helpdesk.stats_cache seconds (dropped when its admins set
    another target), once per request."""
    memo = tk.g.setdefault("helpdesk_response", {})
    if organization_id not in memo:
        def compute() -> dict[str, Any]:
            data = {"organization_id": organization_id}
            return {
                "time": tk.get_action("helpdesk_response_time")({}, data),
                "target_days": tk.get_action(
                    "helpdesk_organization_settings_show")(
                    {}, data)["effective_response_target_days"]}
        memo[organization_id] = cache.kept(
            "response", organization_id, compute,
            tk.config.get("ckanext.helpdesk.stats_cache"))
    return memo[organization_id]


def helpdesk_typical_response(organization_id: str) -> str:
    """"Typically answers publicly within 2 days" (the median of the last
    90 days, helpdesk_response_time), or "" when too few issues were
    answered in that time to tell."""
    figure = _response(organization_id)["time"]
    if figure["answered"] < RESPONSE_TIME_SAMPLE:
        return ""
    return tk._("Typically the first public answer comes within {time} "
                "(median of the last {days} days).").format(
        time=_duration(figure["median_seconds"]), days=figure["days"])


def helpdesk_response_target(organization_id: str) -> str:
    """"The publisher aims to answer publicly within 3 working days." (its
    own target, or the portal's), said beside the typical response."""
    days = _response(organization_id)["target_days"]
    return tk.ungettext(
        "The publisher aims to answer publicly within {n} working day.",
        "The publisher aims to answer publicly within {n} working days.",
        days).format(n=days)


def helpdesk_duration(seconds: float | None) -> str:
    """A duration in words, or "" for none (a figure nothing was counted
    for)."""
    return "" if seconds is None else _duration(seconds)


def helpdesk_percent(share: float | None) -> str:
    """A share (0 to 1) as a percentage written the reader's way ("45%",
    "45 %"), or "–" for none."""
    if share is None:
        return "–"
    return flask_babel.format_percent(share)


def _duration(seconds: float) -> str:
    """A rounded-up duration in words: "40 minutes", "5 hours", "3 days"."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return tk.ungettext("{n} minute", "{n} minutes", minutes).format(
            n=minutes)
    hours = math.ceil(minutes / 60)
    if hours < 48:
        return tk.ungettext("{n} hour", "{n} hours", hours).format(n=hours)
    days = math.ceil(hours / 24)
    return tk.ungettext("{n} day", "{n} days", days).format(n=days)


def helpdesk_may_reopen(issue: DataDict) -> bool:
    """Whether the signed-in user is shown the Reopen button: the
    reporter of an issue resolved or marked won't fix (as the auth
    function of helpdesk_issue_reopen decides)."""
    return (tk.current_user.is_authenticated
            and issue["status"] in REOPENABLE_STATUSES
            and issue.get("reporter_id") == tk.current_user.id)


def helpdesk_status_options() -> list[dict[str, str]]:
    return [{"value": code, "text": label}
            for code, label in helpdesk_statuses()]


def helpdesk_issue_url(issue: DataDict, **params: Any) -> str:
    """The issue's page: under its dataset, or under its organization for
    a data request (which has no dataset). An issue whose dataset was
    purged has no dataset address left: its page is served by id."""
    if issue.get("dataset_id") and issue.get("dataset_name"):
        return tk.h.url_for(
            "helpdesk.dataset_issue", id=issue["dataset_name"],
            number=issue["number"], **params)
    if issue.get("dataset_id"):
        if not issue.get("id"):
            return tk.h.url_for("helpdesk_queue.organization",
                                id=issue["organization_name"], **params)
        return tk.h.url_for("helpdesk.issue_by_id", issue_id=issue["id"],
                            **params)
    return tk.h.url_for(
        "helpdesk.data_request", id=issue["organization_name"],
        number=issue["number"], **params)


def helpdesk_issue_ref(issue: DataDict) -> str:
    """The issue's number qualified by its dataset ("bus-stops#12"), or by
    its organization for a data request: numbers restart per dataset, so
    a queue of several datasets needs both."""
    place = issue.get("dataset_name") or (
        None if issue.get("dataset_id") else issue.get("organization_name"))
    return f"{place or ''}#{issue['number']}"


def helpdesk_status_counts(
    facets: dict[str, Any] | None
) -> list[tuple[str, str, int]]:
    """[(code, label, count)] of a search's status facet for a queue's
    counts: Open and Closed, then every status."""
    counts = (facets or {}).get("status", {})
    statuses = helpdesk_statuses()
    open_count = sum(counts.get(code, 0) for code in OPEN_STATUSES)
    closed = sum(counts.values()) - open_count
    return [("open", tk._("Open"), open_count),
            ("closed", tk._("Closed"), closed)] + [
        (code, label, counts.get(code, 0)) for code, label in statuses]


def helpdesk_age(iso_timestamp: str | None) -> str:
    """"3 days ago" for an ISO 8601 timestamp with offset."""
    if not iso_timestamp:
        return ""
    when = datetime.datetime.fromisoformat(iso_timestamp)
    return tk.h.time_ago_from_timestamp(when)


def helpdesk_result_count(result: DataDict) -> str:
    """"3 issues" of a search result, or "1,000+ issues" when the search
    stopped counting (see helpdesk_issue_search)."""
    count = result["count"]
    if result.get("count_capped"):
        return tk.ungettext("{n}+ issue", "{n}+ issues", count).format(
            n=tk.h.localised_number(count))
    return tk.ungettext("{n} issue", "{n} issues", count).format(
        n=tk.h.localised_number(count))


def helpdesk_allow_anonymous() -> bool:
    return tk.asbool(tk.config.get("ckanext.helpdesk.allow_anonymous"))


def helpdesk_options(items: Iterable[dict[str, Any]], value_key: str,
                     text_key: str) -> list[dict[str, Any]]:
    """Dicts as options of CKAN's form.select macro."""
    return [{"value": item[value_key],
             "text": item.get(text_key) or item[value_key]} for item in items]


def helpdesk_event_text(event: DataDict) -> str:
    """One timeline line in words: "alice changed the status from New to
    Resolved". Every kind the actions record has its sentence; a kind
    this code does not know reads as a plain update, never as its code."""
    actor = event.get("actor") or tk._("Someone")
    old, new = event.get("old_value"), event.get("new_value")
    kind = event["kind"]
    if kind == "status":
        if reopens(old, new):
            return tk._("{actor} reopened it").format(actor=actor)
        return tk._("{actor} changed the status from {old} to {new}").format(
            actor=actor, old=helpdesk_status_label(old),
            new=helpdesk_status_label(new))
    if kind == "assignee":
        if not new:
            return tk._("{actor} unassigned it").format(actor=actor)
        return tk._("{actor} assigned it to {name}").format(
            actor=actor, name=new)
    if kind == "duplicate_of":
        if not new:
            return tk._("{actor} unmarked it as a duplicate").format(
                actor=actor)
        return tk._("{actor} marked it as a duplicate").format(actor=actor)
    if kind == "hidden":
        if tk.asbool(new):
            return tk._("{actor} hid it").format(actor=actor)
        return tk._("{actor} showed it again").format(actor=actor)
    if kind == "comment_hidden":
        return tk._("{actor} hid a comment").format(actor=actor)
    if kind == "comment_shown":
        return tk._("{actor} showed a hidden comment again").format(
            actor=actor)
    return tk._("{actor} updated it").format(actor=actor)


def helpdesk_markdown(text: str | None) -> Markup:
    """Markdown as sanitised HTML, in time linear in its length (see
    rendering.py: CKAN's h.render_markdown is not)."""
    return rendering.render(text)


def helpdesk_moderates() -> bool:
    """Whether the signed-in user moderates some organization's reports
    (the dashboard then links to their moderation queue)."""
    if not tk.current_user.is_authenticated:
        return False
    return visibility.moderates_any(
        visibility.Viewer(tk.current_user.id, tk.current_user.sysadmin))


def helpdesk_unread_count() -> int:
    """How many issues the signed-in user follows changed since they last
    looked (0 for visitors, without a query); once per request, for the
    header's marker and the dashboard's Issues tab."""
    if not tk.current_user.is_authenticated:
        return 0
    if "helpdesk_unread" not in tk.g:
        tk.g.helpdesk_unread = tk.get_action("helpdesk_unread_count")(
            {}, {})["count"]
    return tk.g.helpdesk_unread


def helpdesk_pending_reports() -> int:
    """How many abuse reports wait for the signed-in moderator (the admin
    navigation shows it); 0 for anyone who moderates nothing."""
    try:
        return len(tk.get_action("helpdesk_abuse_report_list")({}, {}))
    except tk.NotAuthorized:
        return 0


def helpdesk_report_reason(reason: str | None) -> str:
    """An abuse report's reason as the moderator reads it: the help desk's
    own (a held first post) in the reader's language, a person's as they
    wrote it. Never through the template's _(), whose result Jinja takes
    for safe markup: a reason is text anyone may write."""
    if reason == moderation.FIRST_POST:
        return tk._(reason)
    return reason or ""


def helpdesk_spam_guard() -> dict[str, Any]:
    """What an anonymous form carries against bots (spam.py): the names
    of the honeypot and fill-time fields, the signed moment the form is
    shown, and the reCAPTCHA site key (None when not configured)."""
    return {"honeypot": spam.HONEYPOT, "started_field": spam.STARTED,
            "started": spam.started_token(),
            "captcha_key": spam.captcha_key()}


def helpdesk_write_in_address(organization_name: str) -> str | None:
    """The address an email to which opens an issue of the organization
    (mailin/); None when the portal takes no email."""
    return addresses.organization_address(organization_name)


def helpdesk_forward_routes(organization_id: str) -> list[DataDict]:
    """The organization's Open311 routes, for its admins' settings page."""
    return tk.get_action("helpdesk_forward_route_list")(
        {}, {"organization_id": organization_id})


def helpdesk_issue_forwards(issue_id: str) -> list[DataDict]:
    """Where the issue was forwarded, for its managers ([] for others)."""
    try:
        return tk.get_action("helpdesk_forward_list")({}, {"id": issue_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def helpdesk_webhook_list(organization_id: str) -> list[DataDict]:
    """The organization's webhooks with their delivery logs, for its
    settings page (whose view has checked the caller is an admin)."""
    return tk.get_action("helpdesk_webhook_list")({}, {
        "organization_id": organization_id})
