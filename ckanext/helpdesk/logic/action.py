"""Actions of the help desk, registered by the plugin's blanket.

Each checks access first, validates with a schema from logic/schema.py,
looks up what it is about (logic/lookup.py), then calls a query of
logic/queries.py or writes, commits and returns plain dicts (dates ISO
8601 with offset). The queries build one statement through visibility.py,
so lists cost a constant number of queries whatever their length. Signals
are sent before the commit, so what subscribers add to the session
commits with the change.
"""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Select

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.helpdesk import cache, ratelimit, signals, visibility
from ckanext.helpdesk.categories import configured_categories
from ckanext.helpdesk.logic import (ACTIONS, moderation, queries,
                                    response_time, schema, stats, targets)
from ckanext.helpdesk.logic.lookup import (abuse_report_from, comment_from,
                                           issue_from, organization_from)
from ckanext.helpdesk.model import (OPEN_STATUSES, REOPENED_STATUS,
                                    AbuseReport, Comment, Event, Issue,
                                    IssueCounter, LastSeen, Subscription,
                                    Vote, utcnow)
from ckanext.helpdesk.notify import recipients
from ckanext.helpdesk.visibility import Viewer

__all__ = list(ACTIONS)

# Update fields -> the issue columns they set.
UPDATABLE = {"status": "status", "assignee": "assignee_id",
             "duplicate_of": "duplicate_of_id", "title": "title",
             "description": "description"}
# Issue columns whose changes go on the timeline -> the event kind.
EVENT_KINDS = {"status": "status", "assignee_id": "assignee",
               "duplicate_of_id": "duplicate_of", "hidden": "hidden"}


# -- plumbing --------------------------------------------------------------

# The parameters naming an issue (see lookup.issue_from), {key} the one
# taking its id.
ISSUE_PARAMETERS = """\
    :param {key}: the issue's id (or give its ``number`` with
        ``dataset_id`` or ``organization_id`` instead)
    :type {key}: string
    :param number: the issue's number in its dataset (with ``dataset_id``)
        or among the organization's data requests (with
        ``organization_id``); only without ``{key}``
    :type number: int
    :param dataset_id: the id or name of the issue's dataset, with
        ``number`` (optional)
    :type dataset_id: string
    :param organization_id: the id or name of the organization whose data
        request it is, with ``number`` (optional)
    :type organization_id: string
"""


def issue_parameters(id_key: str = "id") -> Callable[[Action], Action]:
    """Decorate an action about one issue: its docstring (what help_show
    answers) gets the parameters naming the issue where it reads
    "{issue parameters}"."""
    def document(action: Action) -> Action:
        action.__doc__ = action.__doc__.replace(
            "    {issue parameters}\n", ISSUE_PARAMETERS.replace(
                "{key}", id_key))
        return action
    return document


def _validate(data_dict: DataDict, validation_schema: dict[str, Any],
              context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, validation_schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _actor(context: Context) -> model.User | None:
    """The signed-in user (a model.User) or None."""
    return visibility.signed_in_user(context)


def _signed_in_actor(context: Context) -> model.User:
    """The signed-in caller, for what only a user does (votes,
    subscriptions, abuse reports): a trusted call without a user is
    refused, as CKAN's follow actions refuse it."""
    actor = _actor(context)
    if actor is None:
        raise tk.NotAuthorized(tk._("Sign in first"))
    return actor


def _viewer(context: Context) -> Viewer:
    return visibility.viewer_from_context(context)


# -- categories ------------------------------------------------------------

@tk.side_effect_free
def helpdesk_category_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List the categories an issue may be filed under, in the order the
    operator configured them (``ckanext.helpdesk.categories``). Anyone may
    call it, visitors too.

    :returns: the categories, each with its ``code``, ``name`` and
        ``description``
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_category_list", context, data_dict)
    return configured_categories()


# -- issues ----------------------------------------------------------------

def helpdesk_issue_create(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Report an issue on a dataset (``dataset_id``, with an optional
    ``resource_id``) or, as a data request, to an organization
    (``organization_id``). Signed-in users may call it, and visitors when
    ``ckanext.helpdesk.allow_anonymous`` is true (they give their name and
    email). A dataset the caller may not see is "not found", as a missing
    one. An organization that holds first posts for moderation gets the
    report hidden until a moderator decides; trusted code holds one back
    with ``context["helpdesk_held_for_moderation"]``.

    :param dataset_id: the id or name of the dataset the issue is about
        (either this or ``organization_id``)
    :type dataset_id: string
    :param organization_id: the id or name of the organization a data
        request is for (when there is no ``dataset_id``; with one, the
        dataset's organization is used)
    :type organization_id: string
    :param resource_id: the id of one of the dataset's resources
        (optional)
    :type resource_id: string
    :param category: the code of a category (see
        ``helpdesk_category_list``)
    :type category: string
    :param title: a one-line summary (at most 200 characters)
    :type title: string
    :param description: what is wrong or asked for, in Markdown (at most
        20,000 characters)
    :type description: string
    :param reporter_name: the reporter's name: required from visitors,
        ignored from signed-in users
    :type reporter_name: string
    :param reporter_email: the reporter's email address: required from
        visitors, ignored from signed-in users
    :type reporter_email: string
    :param hidden: refused when true: only moderation holds a new issue
        back (optional, default ``false``)
    :type hidden: bool

    :returns: the new issue, as ``helpdesk_issue_show`` returns it
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_create", context, data_dict)
    ratelimit.check(context, "reports")
    actor = _actor(context)
    data = _validate(data_dict, schema.issue_create_schema(actor is None),
                     context)
    held = moderation.holds_first_post(actor, data["organization_id"])
    issue = Issue(
        dataset_id=data.get("dataset_id"),
        organization_id=data["organization_id"],
        resource_id=data.get("resource_id"), category=data["category"],
        title=data["title"], description=data["description"],
        reporter_id=actor.id if actor else None,
        reporter_name=data.get("reporter_name"),
        reporter_email=data.get("reporter_email"),
        hidden=held or bool(context.get("helpdesk_held_for_moderation")))
    issue.number = _next_number(issue)
    model.Session.add(issue)
    model.Session.flush()
    if held:
        moderation.hold(issue.id)
    signals.issue_created.send(issue.id, issue=issue, actor=actor)
    _commit(context)
    # A report held for moderation is hidden from its own author too; the
    # author gets back once what they just filed.
    return _issue_by_id({"ignore_auth": True} if issue.hidden else context,
                        issue.id)


def _next_number(issue: Issue) -> int:
    """The next number of the issue's dataset (or of the organization's
    data requests). The upsert locks the counter row until commit, so
    concurrent reports queue up instead of colliding."""
    scope = issue.dataset_id or "organization:" + issue.organization_id
    counter = IssueCounter.__table__
    statement = pg_insert(counter).values(
        scope=scope, last_number=1
    ).on_conflict_do_update(
        index_elements=[counter.c.scope],
        set_={"last_number": counter.c.last_number + 1},
    ).returning(counter.c.last_number)
    return model.Session.execute(statement).scalar()


@tk.side_effect_free
@issue_parameters()
def helpdesk_issue_show(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Return an issue, by its id or by its number in a dataset (or among
    an organization's data requests). Anyone who may see the issue may
    call it; an issue the caller may not see is "not found", as a missing
    one.

    {issue parameters}

    :returns: the issue: its columns (``id``, ``number``, ``dataset_id``,
        ``organization_id``, ``resource_id``, ``category``, ``title``,
        ``description``, ``status``, ``hidden``, ``vote_count``,
        ``comment_count``, ``created``, ``updated``, ``resolved_at``, ...)
        with the names shown beside them (``dataset_name``,
        ``organization_name``, ``assignee``, ``reporter``,
        ``reporter_display_name``, ...), ``is_open``, ``waiting_on_us``,
        ``closing_comment`` and the caller's ``voted``, ``subscribed`` and
        ``unread``; ``reporter_email`` for the organization's editors and
        admins only
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_show", context, data_dict)
    return _issue_by_id(context, issue_from(context, data_dict).id)


def _issue_by_id(context: Context, issue_id: str) -> dict[str, Any]:
    issue = queries.issue_by_id(_viewer(context), issue_id)
    if issue is None:
        raise tk.ObjectNotFound(tk._("Issue not found"))
    return issue


@issue_parameters()
def helpdesk_issue_update(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Change an issue's status, assignee, original (``duplicate_of``),
    title or description, optionally with a reply posted alongside. The
    editors and admins of the issue's organization may change anything;
    its reporter may change the title and description, with a reply.

    {issue parameters}
    :param status: the new status: ``new``, ``acknowledged``,
        ``in_progress``, ``resolved``, ``wont_fix`` or ``duplicate``
        (optional)
    :type status: string
    :param assignee: the id or name of a member of the organization to
        assign it to, or ``""`` to unassign (optional)
    :type assignee: string
    :param duplicate_of: the id of the issue of the same organization this
        one duplicates; given alone, it makes the status ``duplicate``
        (optional)
    :type duplicate_of: string
    :param title: a new title (optional)
    :type title: string
    :param description: a new description, in Markdown (optional)
    :type description: string
    :param comment: a reply posted with the change (optional)
    :type comment: string
    :param internal: whether ``comment`` is an internal note for the
        organization rather than a public reply (optional, default
        ``false``)
    :type internal: bool

    :returns: the issue, as ``helpdesk_issue_show`` returns it
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_update", context, data_dict)
    issue = issue_from(context, data_dict)
    context["helpdesk_issue"] = issue
    data = _validate(data_dict, schema.issue_update_schema(), context)
    values = {column: data[field] for field, column in UPDATABLE.items()
              if field in data}
    _change(context, issue, values, data.get("comment"), data["internal"])
    _commit(context)
    return _issue_by_id(context, issue.id)


@issue_parameters()
def helpdesk_issue_reopen(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Reopen an issue one reported that was resolved or marked won't fix:
    it is "new" again, the timeline says who reopened it, and its
    assignee (the publishers when nobody is assigned) is told. Only the
    issue's reporter, signed in, may call it (the organization's editors
    and admins change the status with ``helpdesk_issue_update``).

    {issue parameters}
    :param comment: why it is reopened, posted as a public reply with the
        change (optional)
    :type comment: string

    :returns: the issue, as ``helpdesk_issue_show`` returns it
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_reopen", context, data_dict)
    issue = issue_from(context, data_dict)
    context["helpdesk_issue"] = issue
    data = _validate(data_dict, schema.issue_reopen_schema(), context)
    _change(context, issue, {"status": REOPENED_STATUS}, data.get("comment"))
    _commit(context)
    return _issue_by_id(context, issue.id)


@issue_parameters()
def helpdesk_issue_hide(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Hide an issue from the public, or show it again. The editors and
    admins of the issue's organization may call it.

    {issue parameters}
    :param hidden: ``false`` shows the issue again (optional, default
        ``true``)
    :type hidden: bool

    :returns: the issue, as ``helpdesk_issue_show`` returns it
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_hide", context, data_dict)
    issue = issue_from(context, data_dict)
    data = _validate(data_dict, schema.hide_schema(), context)
    _change(context, issue, {"hidden": data["hidden"]})
    _commit(context)
    return _issue_by_id(context, issue.id)


@issue_parameters()
def helpdesk_issue_delete(context: Context, data_dict: DataDict) -> None:
    """Delete an issue with its comments, timeline and votes; its number is
    not given out again. Sysadmins only.

    {issue parameters}

    :returns: nothing (``null`` over the Action API)
    :rtype: None
    """
    tk.check_access("helpdesk_issue_delete", context, data_dict)
    issue = issue_from(context, data_dict)
    signals.issue_deleted.send(issue.id, issue=issue, actor=_actor(context))
    model.Session.delete(issue)
    _commit(context)


def _change(context: Context, issue: Issue, values: dict[str, Any],
            comment_body: str | None = None, internal: bool = False) -> None:
    """Apply `values` ({column: new value}) to the issue with their
    consequences, put them on the timeline and signal them (with the
    changes as {column: (old, new)}), with the comment (an internal note
    when `internal`) posted alongside."""
    actor = _actor(context)
    changes = {column: (getattr(issue, column), value)
               for column, value in values.items()
               if getattr(issue, column) != value}
    if "status" in changes and changes["status"][1] != "duplicate" \
            and issue.duplicate_of_id:
        changes["duplicate_of_id"] = (issue.duplicate_of_id, None)
    for column, (_old, new) in changes.items():
        setattr(issue, column, new)
    comment = comment_body and _new_comment(issue, actor, comment_body,
                                            internal)
    if "status" in changes:
        _track_resolution(issue, changes["status"][0], comment)
    _record_events(issue, changes, actor)
    if changes or comment:
        model.Session.flush()
        signals.issue_changed.send(issue.id, issue=issue, actor=actor,
                                   changes=changes, comment=comment)


def _track_resolution(issue: Issue, old_status: str,
                      comment: Comment | None) -> None:
    """Closing stamps resolved_at (and keeps the public reply posted with
    it); reopening clears both."""
    if issue.status in OPEN_STATUSES:
        issue.resolved_at = issue.closing_comment_id = None
        return
    if old_status in OPEN_STATUSES:
        issue.resolved_at = utcnow()
        issue.closing_comment_id = None
    if comment and not comment.internal:
        issue.closing_comment_id = comment.id


def _record_events(issue: Issue, changes: dict[str, tuple[Any, Any]],
                   actor: model.User | None) -> None:
    for column, (old, new) in changes.items():
        if column in EVENT_KINDS:
            _add_event(issue, actor, EVENT_KINDS[column], old, new)


def _add_event(issue: Issue, actor: model.User | None, kind: str,
               old: Any = None, new: Any = None) -> None:
    model.Session.add(Event(issue_id=issue.id, actor_id=actor and actor.id,
                            kind=kind, old_value=_event_text(old),
                            new_value=_event_text(new)))


def _event_text(value: Any) -> str | None:
    """Event values are text; flags read "true" and "false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


# -- search and counts -----------------------------------------------------

@tk.side_effect_free
def helpdesk_issue_search(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Search the issues the caller may see: filtered, sorted and paged,
    with the count and the facet counts by status and category, in two
    statements whatever the page size. Anyone may call it; the results
    hold only what the caller may see.

    Counting stops ``ckanext.helpdesk.search_count_cap`` matches past the
    offset: beyond, ``count`` is ``offset`` plus the cap (a lower bound),
    ``count_capped`` is true and the facets are left out.

    :param dataset_id: the id or name of a dataset (optional)
    :type dataset_id: string
    :param organization_id: the ids or names of organizations, as a list
        or a comma-separated string (optional)
    :type organization_id: list of strings
    :param category: a category code (optional)
    :type category: string
    :param status: a status, ``open``, ``closed``, or a list (or a
        comma-separated string) of them (optional)
    :type status: list of strings
    :param id: issue ids, as a list or a comma-separated string
        (optional)
    :type id: list of strings
    :param assignee: the id or name of a user, ``none`` (unassigned) or
        ``me`` (optional)
    :type assignee: string
    :param reporter: the id or name of the reporting user (optional)
    :type reporter: string
    :param q: words to find in the title and description, in
        web search syntax (optional)
    :type q: string
    :param created_before: an ISO 8601 date or date-time, UTC when it
        has no offset (optional)
    :type created_before: string
    :param created_after: an ISO 8601 date or date-time (optional)
    :type created_after: string
    :param updated_after: an ISO 8601 date or date-time (optional)
    :type updated_after: string
    :param following: only the issues the caller reported, subscribed to
        or +1'd (optional, default ``false``)
    :type following: bool
    :param unread: only the issues the caller follows that changed since
        they last looked at them (optional, default ``false``)
    :type unread: bool
    :param past_target: only the open issues with no public answer past
        their organization's response target (optional, default
        ``false``)
    :type past_target: bool
    :param sort: ``newest``, ``oldest``, ``updated``, ``votes`` or
        ``comments`` (optional, default ``newest``)
    :type sort: string
    :param limit: the page size, at most 1000 (optional, default 20)
    :type limit: int
    :param offset: how many matches to skip (optional, default 0)
    :type offset: int
    :param facets: ``false`` answers the page alone, without ``count``
        and ``facets`` (optional, default ``true``)
    :type facets: bool

    :returns: ``results`` (issues, as ``helpdesk_issue_show`` returns
        them) and, unless ``facets`` is false, ``count``,
        ``count_capped`` and ``facets`` (``{"status": {code: n},
        "category": {code: n}}``, left out when the count is capped)
    :rtype: dictionary
    """
    data, viewer, conditions = _searched(context, data_dict)
    results = queries.search_results(viewer, data, conditions)
    if not data["facets"]:
        return {"results": results}
    counted = data["offset"] + tk.config.get(
        "ckanext.helpdesk.search_count_cap")
    facets = queries.facets(viewer, conditions, counted + 1)
    count = sum(facets["status"].values())
    if count > counted:
        return {"count": counted, "count_capped": True, "results": results}
    return {"count": count, "count_capped": False, "results": results,
            "facets": facets}


def issue_search_rows(context: Context, data_dict: DataDict,
                      statement: Select) -> CursorResult:
    """The result of `statement` (a select from Issue, which may read its
    dataset) for the page helpdesk_issue_search answers to `data_dict`,
    with its access check and validation: for callers that need a few
    fields of many issues rather than whole issue dicts (Open311's
    lists)."""
    data, viewer, conditions = _searched(context, data_dict)
    return queries.search_rows(statement, viewer, data, conditions)


def issue_search_statement(context: Context, data_dict: DataDict,
                           statement: Select) -> Select:
    """`statement` (a select from Issue, which may read its dataset) with
    the access check, validation, filters, permission rule and sort of
    helpdesk_issue_search for `data_dict`, but every match rather than a
    page: for exports, which stream them all."""
    data, viewer, conditions = _searched(context, data_dict)
    return queries.search_matches(statement, viewer, data, conditions)


def _searched(
    context: Context, data_dict: DataDict
) -> tuple[dict[str, Any], Viewer, list[Any]]:
    """(validated data, viewer, WHERE clauses) of a search."""
    tk.check_access("helpdesk_issue_search", context, data_dict)
    data = _validate(data_dict, schema.issue_search_schema(), context)
    viewer = _viewer(context)
    return data, viewer, queries.search_conditions(data, viewer)


@tk.side_effect_free
def helpdesk_issue_counts(
    context: Context, data_dict: DataDict
) -> dict[str, dict[str, int]]:
    """Count the open and all issues the caller may see of each of the
    datasets asked, in one query. Anyone may call it.

    :param dataset_ids: the dataset ids, as a list or a comma-separated
        string (at most 1000)
    :type dataset_ids: list of strings

    :returns: ``{dataset_id: {"open": n, "total": n}}`` for every dataset
        asked (zeros when it has none)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_counts", context, data_dict)
    data = _validate(data_dict, schema.issue_counts_schema(), context)
    return queries.issue_counts(_viewer(context), data["dataset_ids"])


@tk.side_effect_free
def helpdesk_response_time(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """An organization's typical time to a first public response: the
    median, over its public issues reported in the last 90 days that got
    one, of the time from the report to the first public reply or status
    change of its editors and admins (see logic/response_time.py). Anyone
    may call it: the figure is computed from public issues alone.

    :param organization_id: the organization's id or name
    :type organization_id: string
    :returns: ``median_seconds`` (None when no issue was answered),
        ``answered`` (how many issues the median is of) and ``days``
    :rtype: dictionary
    """
    tk.check_access("helpdesk_response_time", context, data_dict)
    organization = organization_from(context, data_dict)
    return response_time.median_first_response(organization.id)


def helpdesk_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The help desk's statistics, portal-wide or of one organization,
    counting only the issues the caller may see (never hidden ones): issues
    opened and closed per week over 52 weeks by organization and category;
    over the window, the median and 90th percentile of the time to the
    first public response and to resolution, per organization, per
    category and in all, with the share answered within the organization's
    response target; the open backlog by age; the datasets with the most
    open issues and the most +1s; the most requested data (open data
    requests by +1s). See logic/stats.py.

    :param organization_id: one organization's id or name (optional:
        the whole portal)
    :type organization_id: string
    :param window: the days before now whose reports the times and the
        share are of: 30, 90 (the default) or 365
    :type window: int
    :param sort: the order of the ``organizations`` list: ``name`` (the
        default), ``reported``, ``closed``, ``open``, ``response_median``,
        ``response_p90``, ``resolution_median``, ``resolution_p90`` or
        ``within_target``, prefixed with ``-`` for descending
    :type sort: string
    :returns: ``window``, ``weekly`` (rows of ``week``, ``organization_id``,
        ``category``, ``opened``, ``closed``), ``totals``, ``categories``
        and ``organizations`` (counts, times in seconds, ``within_target``
        a share from 0 to 1 or None, ``ages`` of the open backlog),
        ``datasets`` (``most_open``, ``most_votes``) and ``requested``
    :rtype: dictionary
    """
    tk.check_access("helpdesk_stats", context, data_dict)
    data = _validate(data_dict, schema.stats_schema(), context)
    organization_id = None
    if data.get("organization_id"):
        organization_id = organization_from(context, data).id
    return stats.statistics(_viewer(context), organization_id,
                            data["window"], data["sort"])


# -- comments --------------------------------------------------------------

@issue_parameters("issue_id")
def helpdesk_comment_create(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Comment on an issue: a public reply or, for the editors and admins
    of the issue's organization, an internal note. Whoever may see the
    issue may call it: signed-in users, and visitors when
    ``ckanext.helpdesk.allow_anonymous`` is true (they give their name and
    email). An organization that holds first posts for moderation gets
    the comment hidden until a moderator decides.

    {issue parameters}
    :param body: the comment, in Markdown (at most 20,000 characters)
    :type body: string
    :param internal: whether it is an internal note for the organization
        (optional, default ``false``)
    :type internal: bool
    :param author_name: the author's name: required from visitors,
        ignored from signed-in users
    :type author_name: string
    :param author_email: the author's email address: required from
        visitors, ignored from signed-in users
    :type author_email: string

    :returns: the comment (``id``, ``issue_id``, ``author``,
        ``author_display_name``, ``body``, ``internal``, ``hidden``,
        ``created``, ``updated``; ``author_email`` for the organization's
        editors and admins)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_comment_create", context, data_dict)
    ratelimit.check(context, "comments")
    issue = issue_from(context, data_dict, "issue_id")
    actor = _actor(context)
    data = _validate(data_dict, schema.comment_create_schema(actor is None),
                     context)
    held = moderation.holds_first_post(actor, issue.organization_id)
    comment = _new_comment(issue, actor, data["body"], data["internal"],
                           data.get("author_name"), data.get("author_email"),
                           hidden=held)
    if held:
        moderation.hold(issue.id, comment.id)
    signals.comment_created.send(issue.id, issue=issue, comment=comment,
                                 actor=actor)
    _commit(context)
    # A held comment is hidden from its author too, who gets it back once.
    return _comment_by_id({"ignore_auth": True} if held else context,
                          comment.id)


def _new_comment(issue: Issue, actor: model.User | None, body: str,
                 internal: bool = False, author_name: str | None = None,
                 author_email: str | None = None,
                 hidden: bool = False) -> Comment:
    comment = Comment(issue_id=issue.id, author_id=actor and actor.id,
                      author_name=author_name, author_email=author_email,
                      body=body, internal=internal, hidden=hidden)
    model.Session.add(comment)
    if not internal and not hidden:
        # Counts what the public sees; touching the issue also moves it up
        # in "recently updated" (internal notes leave no public trace).
        issue.comment_count = Issue.comment_count + 1
    model.Session.flush()
    return comment


def helpdesk_comment_update(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Edit the body of a comment. Only its author may call it, while they
    may still read it.

    :param id: the id of the comment
    :type id: string
    :param body: the new body, in Markdown (at most 20,000 characters)
    :type body: string

    :returns: the comment (``id``, ``issue_id``, ``author``,
        ``author_display_name``, ``body``, ``internal``, ``hidden``,
        ``created``, ``updated``; ``author_email`` for the organization's
        editors and admins)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_comment_update", context, data_dict)
    comment = comment_from(context, data_dict)
    comment.body = _validate(data_dict, schema.comment_update_schema(),
                             context)["body"]
    _commit(context)
    return _comment_by_id(context, comment.id)


def helpdesk_comment_hide(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Hide a comment from the public, or show it again. The editors and
    admins of the issue's organization may call it.

    :param id: the id of the comment
    :type id: string
    :param hidden: ``false`` shows the comment again (optional, default
        ``true``)
    :type hidden: bool

    :returns: the comment (``id``, ``issue_id``, ``author``,
        ``author_display_name``, ``body``, ``internal``, ``hidden``,
        ``created``, ``updated``; ``author_email`` for the organization's
        editors and admins)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_comment_hide", context, data_dict)
    comment = comment_from(context, data_dict)
    hidden = _validate(data_dict, schema.hide_schema(), context)["hidden"]
    if comment.hidden != hidden:
        _set_comment_hidden(context, comment, hidden)
    _commit(context)
    return _comment_by_id(context, comment.id)


def _set_comment_hidden(context: Context, comment: Comment,
                        hidden: bool) -> None:
    comment.hidden = hidden
    issue = comment.issue
    if not comment.internal:
        issue.comment_count = Issue.comment_count + (-1 if hidden else 1)
    _add_event(issue, _actor(context),
               "comment_hidden" if hidden else "comment_shown",
               new=comment.id)


@tk.side_effect_free
@issue_parameters("issue_id")
def helpdesk_comment_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List the comments of an issue the caller may read, oldest first:
    internal notes only for the organization's members, hidden comments
    only for its editors and admins. Anyone who may see the issue may call
    it.

    {issue parameters}

    :returns: the comments, as ``helpdesk_comment_create`` returns them
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_comment_list", context, data_dict)
    issue = issue_from(context, data_dict, "issue_id")
    return queries.comments(_viewer(context),
                            Comment.issue_id == issue.id)


def _comment_by_id(context: Context, comment_id: str) -> dict[str, Any]:
    comments = queries.comments(_viewer(context),
                                Comment.id == comment_id)
    if not comments:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    return comments[0]


# -- timeline --------------------------------------------------------------

@tk.side_effect_free
@issue_parameters("issue_id")
def helpdesk_event_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List the timeline of an issue, oldest first: status, assignment and
    duplicate changes; moderation (hiding and showing the issue or its
    comments) for the organization's editors and admins only. Anyone who
    may see the issue may call it.

    {issue parameters}

    :returns: the events, each with its ``kind``, ``old_value``,
        ``new_value`` (assignees by user name), ``actor`` and ``created``
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_event_list", context, data_dict)
    issue = issue_from(context, data_dict, "issue_id")
    return queries.events(_viewer(context), issue.id)


# -- votes and subscriptions -----------------------------------------------

@issue_parameters()
def helpdesk_issue_vote(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """+1 an issue, once per user. Signed-in users who may see the issue
    may call it.

    {issue parameters}

    :returns: ``vote_count`` and ``voted`` (true)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_vote", context, data_dict)
    ratelimit.check(context, "votes")
    return _set_vote(context, issue_from(context, data_dict), True)


@issue_parameters()
def helpdesk_issue_unvote(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Take back one's +1 of an issue. Signed-in users who may see the
    issue may call it.

    {issue parameters}

    :returns: ``vote_count`` and ``voted`` (false)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_unvote", context, data_dict)
    ratelimit.check(context, "votes")
    return _set_vote(context, issue_from(context, data_dict), False)


def _set_vote(context: Context, issue: Issue,
              voted: bool) -> dict[str, Any]:
    """Add or remove the caller's vote; the count moves only when a row
    did, and voting does not count as updating the issue."""
    votes = Vote.__table__
    user_id = _signed_in_actor(context).id
    if voted:
        statement = pg_insert(votes).values(
            issue_id=issue.id, user_id=user_id).on_conflict_do_nothing()
    else:
        statement = votes.delete().where(votes.c.issue_id == issue.id,
                                         votes.c.user_id == user_id)
    if model.Session.execute(statement).rowcount:
        issues = Issue.__table__
        model.Session.execute(issues.update().where(
            issues.c.id == issue.id
        ).values(vote_count=issues.c.vote_count + (1 if voted else -1),
                 updated=issues.c.updated))
    vote_count = queries.vote_count(issue.id)
    _commit(context)
    return {"vote_count": vote_count, "voted": voted}


@issue_parameters()
def helpdesk_issue_subscribe(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Follow an issue: its changes and comments are emailed to the
    caller. Signed-in users who may see the issue may call it.

    {issue parameters}

    :returns: ``subscribed`` (true)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_subscribe", context, data_dict)
    ratelimit.check(context, "subscriptions")
    return _set_subscription(context, issue_from(context, data_dict), True)


@issue_parameters()
def helpdesk_issue_unsubscribe(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Stop following an issue. Signed-in users who may see the issue may
    call it.

    {issue parameters}

    :returns: ``subscribed`` (false)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_unsubscribe", context, data_dict)
    ratelimit.check(context, "subscriptions")
    return _set_subscription(context, issue_from(context, data_dict), False)


def _set_subscription(context: Context, issue: Issue,
                      subscribed: bool) -> dict[str, Any]:
    subscriptions = Subscription.__table__
    user_id = _signed_in_actor(context).id
    if subscribed:
        statement = pg_insert(subscriptions).values(
            id=model.types.make_uuid(), issue_id=issue.id, user_id=user_id
        ).on_conflict_do_nothing()
    else:
        statement = subscriptions.delete().where(
            subscriptions.c.issue_id == issue.id,
            subscriptions.c.user_id == user_id)
    model.Session.execute(statement)
    _commit(context)
    return {"subscribed": subscribed}


# -- what a user follows ---------------------------------------------------

@issue_parameters()
def helpdesk_issue_seen(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Record that the caller has just looked at the issue: what happened
    on it until now is no longer "updated since you last looked". The
    issue page calls it for signed-in users; signed-in users who may see
    the issue may call it.

    {issue parameters}

    :returns: ``issue_id`` and ``seen_at``
    :rtype: dictionary
    """
    tk.check_access("helpdesk_issue_seen", context, data_dict)
    issue = issue_from(context, data_dict)
    seen = {"user_id": _signed_in_actor(context).id, "issue_id": issue.id,
            "seen_at": utcnow()}
    last_seen = LastSeen.__table__
    model.Session.execute(pg_insert(last_seen).values(**seen)
                          .on_conflict_do_update(
        index_elements=[last_seen.c.user_id, last_seen.c.issue_id],
        set_={"seen_at": seen["seen_at"]}))
    _commit(context)
    return {"issue_id": issue.id, "seen_at": queries.iso(seen["seen_at"])}


@tk.side_effect_free
def helpdesk_unread_count(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Count the issues the caller follows (reported, subscribed to or
    +1'd) and may see that changed since they last looked at them, in one
    query. Signed-in users may call it.

    :returns: ``count``
    :rtype: dictionary
    """
    tk.check_access("helpdesk_unread_count", context, data_dict)
    return {"count": queries.unread_count(_viewer(context))}


# -- abuse reports ---------------------------------------------------------

@issue_parameters("issue_id")
def helpdesk_abuse_report_create(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Report an issue, or one of its comments, as abusive, with a reason.
    Reported by as many distinct people as
    ``ckanext.helpdesk.moderation.hide_after_reports``, it is hidden until
    a moderator decides. Signed-in users who may see the issue may call
    it.

    {issue parameters}
    :param comment_id: the id of the issue's comment reported (optional:
        the issue itself by default)
    :type comment_id: string
    :param reason: why it is abusive (at most 2,000 characters)
    :type reason: string

    :returns: the report (``id``, ``issue_id``, ``issue_number``,
        ``issue_title``, ``dataset_id``, ``dataset_name``, ``comment_id``,
        ``comment_body``, ``author``, ``hidden``, ``reporter``, ``reason``,
        ``created``, ``resolved_at``)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_abuse_report_create", context, data_dict)
    ratelimit.check(context, "abuse_reports")
    issue = issue_from(context, data_dict, "issue_id")
    data = _validate(data_dict, schema.abuse_report_create_schema(), context)
    comment_id = data.get("comment_id")
    if comment_id and not queries.comments(_viewer(context), sa.and_(
            Comment.id == comment_id, Comment.issue_id == issue.id)):
        raise tk.ValidationError(
            {"comment_id": [tk._("Not a comment of the issue")]})
    report = AbuseReport(issue_id=issue.id, comment_id=comment_id,
                         reporter_id=_signed_in_actor(context).id,
                         reason=data["reason"])
    model.Session.add(report)
    model.Session.flush()
    if moderation.reported_enough(issue.id, comment_id):
        # Hidden by the help desk itself: the timeline names no one.
        _set_reported_hidden({"ignore_auth": True}, report, True)
    report_id = report.id
    _commit(context)
    return queries.abuse_reports(AbuseReport.id == report_id)[0]


@tk.side_effect_free
def helpdesk_abuse_report_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List the unresolved abuse reports the caller moderates, oldest
    first: those about their organizations' issues (all for sysadmins).
    Organization admins may call it.

    :returns: the reports, as ``helpdesk_abuse_report_create`` returns
        them
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_abuse_report_list", context, data_dict)
    return queries.abuse_reports(
        AbuseReport.resolved_at.is_(None),
        visibility.can_moderate(_viewer(context)))


def helpdesk_abuse_report_resolve(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Close an abuse report, with the other open reports about the same
    issue or comment: dismissing them, hiding what they report, or showing
    it (a held first post, or one hidden by reports). The admins of the
    reported issue's organization may call it.

    :param id: the id of the abuse report
    :type id: string
    :param action: ``dismiss``, ``hide`` or ``show`` (optional, default
        ``dismiss``)
    :type action: string

    :returns: the report (``id``, ``issue_id``, ``issue_number``,
        ``issue_title``, ``dataset_id``, ``dataset_name``, ``comment_id``,
        ``comment_body``, ``author``, ``hidden``, ``reporter``, ``reason``,
        ``created``, ``resolved_at``)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_abuse_report_resolve", context, data_dict)
    report = abuse_report_from(context, data_dict)
    data = _validate(data_dict, schema.abuse_report_resolve_schema(),
                     context)
    if data["action"] != "dismiss":
        _set_reported_hidden(context, report, data["action"] == "hide")
    model.Session.execute(sa.update(AbuseReport).where(
        *moderation.same_target(report.issue_id, report.comment_id),
        AbuseReport.resolved_at.is_(None),
    ).values(resolved_at=utcnow(), resolved_by=_actor(context).id))
    _commit(context)
    return queries.abuse_reports(AbuseReport.id == report.id)[0]


def helpdesk_abuse_report_reopen(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Undo a moderator's decision: the report and the others closed with
    it are open again, and what they report is put back as it was. The
    admins of the reported issue's organization may call it.

    :param id: the id of the (resolved) abuse report
    :type id: string
    :param hidden: whether what was reported was hidden before the
        decision, as the report list said
    :type hidden: bool

    :returns: the report (``id``, ``issue_id``, ``issue_number``,
        ``issue_title``, ``dataset_id``, ``dataset_name``, ``comment_id``,
        ``comment_body``, ``author``, ``hidden``, ``reporter``, ``reason``,
        ``created``, ``resolved_at``)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_abuse_report_reopen", context, data_dict)
    report = abuse_report_from(context, data_dict)
    data = _validate(data_dict, schema.abuse_report_reopen_schema(), context)
    if report.resolved_at is None:
        raise tk.ValidationError({"id": [tk._("This report is still open")]})
    _set_reported_hidden(context, report, data["hidden"])
    model.Session.execute(sa.update(AbuseReport).where(
        *moderation.same_target(report.issue_id, report.comment_id),
        AbuseReport.resolved_at == report.resolved_at,
    ).values(resolved_at=None, resolved_by=None))
    _commit(context)
    return queries.abuse_reports(AbuseReport.id == report.id)[0]


def _set_reported_hidden(context: Context, report: AbuseReport,
                         hidden: bool) -> None:
    if report.comment_id:
        comment = model.Session.get(Comment, report.comment_id)
        if comment.hidden != hidden:
            _set_comment_hidden(context, comment, hidden)
    else:
        _change(context, model.Session.get(Issue, report.issue_id),
                {"hidden": hidden})


# -- assignees -------------------------------------------------------------

@tk.side_effect_free
def helpdesk_assignee_list(
    context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List the members of an organization, who may be assigned its
    issues. The organization's editors and admins may call it.

    :param organization_id: the id or name of the organization
    :type organization_id: string

    :returns: the members, each with its ``id``, ``name`` and
        ``display_name``
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_assignee_list", context, data_dict)
    return queries.assignees(organization_from(context, data_dict).id)


# -- organization settings -------------------------------------------------

def _organization_settings(organization: model.Group) -> dict[str, Any]:
    own = targets.own_target(organization.id)
    return {"organization_id": organization.id,
            "notify_emails": recipients.own_addresses(organization.id),
            "response_target_days": own,
            "default_response_target_days": targets.default_target(),
            "effective_response_target_days": (
                targets.default_target() if own is None else own)}


@tk.side_effect_free
def helpdesk_organization_settings_show(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """An organization's help desk settings: its response target, the
    working days (Monday to Friday) within which it aims to answer each
    issue publicly for the first time, and its own help desk addresses.

    :param organization_id: the organization's id or name
    :type organization_id: string
    :returns: ``organization_id``, ``notify_emails`` (the addresses told
        of its issues as its publishers are), ``response_target_days`` (the
        organization's own target, None when it set none),
        ``default_response_target_days`` (the portal's) and
        ``effective_response_target_days`` (the one that holds)
    :rtype: dictionary
    """
    tk.check_access("helpdesk_organization_settings_show", context,
                    data_dict)
    return _organization_settings(organization_from(context, data_dict))


def helpdesk_organization_settings_update(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Set an organization's help desk settings (its admins, sysadmins).

    :param organization_id: the organization's id or name
    :type organization_id: string
    :param response_target_days: working days to the first public
        response, from 1 to 60; blank or null for the portal's default
        (ckanext.helpdesk.response_target_days)
    :type response_target_days: int
    :param notify_emails: the organization's own help desk addresses (at
        most 5), told of new issues and replies as its publishers are; a
        list or text separated by commas; left as they are when not given
    :type notify_emails: list of strings
    :returns: the settings, as helpdesk_organization_settings_show
    :rtype: dictionary
    """
    tk.check_access("helpdesk_organization_settings_update", context,
                    data_dict)
    organization = organization_from(context, data_dict)
    data = _validate(data_dict, schema.organization_settings_update_schema(),
                     context)
    targets.set_target(organization.id, data["response_target_days"])
    if "notify_emails" in data:
        targets.save_settings(organization.id,
                              notify_emails=data["notify_emails"])
    _commit(context)
    # Pages say the organization's promise from a cache: say the new one.
    cache.forget(("response", organization.id))
    return _organization_settings(organization)
