"""The statements the help desk's actions read with, and the dicts their
rows become.

Apart from the actions (logic/action.py), as CKAN's ckanext/activity keeps
its statements and dictizers in model/activity.py: an action reads "check
access, validate, call a query or write, commit, return", and a query is
written once for every action (and export, and Open311 list) that needs it.
A list is one statement whatever its length. The reads made for a caller
take their visibility.Viewer (not a context) and go through visibility.py;
access checks and validation are the actions' business, done before any
function here is called.
"""
from __future__ import annotations

import datetime
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import following, targets
from ckanext.helpdesk.logic.lookup import by_id_or_name, ids_of
from ckanext.helpdesk.logic.schema import SEARCH_LIMIT
from ckanext.helpdesk.logic.sorts import ISSUE_SORTS
from ckanext.helpdesk.model import (OPEN_STATUSES, AbuseReport, Comment,
                                    Event, Issue, Subscription, Vote)
from ckanext.helpdesk.visibility import Viewer

# Columns read for issue dicts: all but the (large) search vector.
ISSUE_COLUMNS = [column for column in Issue.__table__.c
                 if column.key != "search_vector"]
# The issue another one duplicates, for its number.
_ORIGINAL = Issue.__table__.alias("original")


def iso(moment: datetime.datetime | None) -> str | None:
    """A timestamp as the actions answer it: ISO 8601, in UTC."""
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).isoformat()


def display_name(name: str | None, fullname: str | None,
                 fallback: str | None = None) -> str | None:
    """The name shown for a person: full name, user name or `fallback`
    (what a visitor typed)."""
    return fullname or name or fallback


# -- search ----------------------------------------------------------------

def assignee_condition(assignee: str, viewer: Viewer) -> Any:
    """The assignee filter: a user's id or name, "none" or "me"."""
    if assignee == "none":
        return Issue.assignee_id.is_(None)
    if assignee == "me":
        return Issue.assignee_id == viewer.user_id
    return Issue.assignee_id == by_id_or_name(model.User, assignee)


# Search filter -> its condition on the (validated) value, for a viewer.
SEARCH_FILTERS: dict[str, Callable[[Any, Viewer], Any]] = {
    "dataset_id": lambda value, viewer: Issue.dataset_id == by_id_or_name(
        model.Package, value),
    "organization_id": lambda value, viewer: Issue.organization_id.in_(
        ids_of(model.Group, value)),
    "id": lambda value, viewer: Issue.id.in_(value),
    "category": lambda value, viewer: Issue.category == value,
    "status": lambda value, viewer: Issue.status.in_(value),
    "assignee": assignee_condition,
    "reporter": lambda value, viewer: Issue.reporter_id == by_id_or_name(
        model.User, value),
    "q": lambda value, viewer: Issue.search_vector.op("@@")(
        sa.func.websearch_to_tsquery("english", value)),
    "created_before": lambda value, viewer: Issue.created < value,
    "created_after": lambda value, viewer: Issue.created >= value,
    "updated_after": lambda value, viewer: Issue.updated >= value,
    # What the caller reported, subscribed to or +1'd; with unread, only
    # where something happened since they last looked.
    "following": lambda value, viewer: (
        following.followed_by(viewer) if value else sa.true()),
    "unread": lambda value, viewer: (
        following.unread_by(viewer) if value else sa.true()),
    # No first public response, and past the organization's target.
    "past_target": lambda value, viewer: (
        targets.past_target() if value else sa.true()),
}


def search_conditions(data: dict[str, Any], viewer: Viewer) -> list[Any]:
    """WHERE clauses (over Issue alone) for the search filters given in
    `data` (validated by schema.issue_search_schema)."""
    return [condition(data[key], viewer)
            for key, condition in SEARCH_FILTERS.items() if key in data]


def searched(statement: Select, data: dict[str, Any],
             conditions: list[Any]) -> Select:
    """`statement` (visible issues) filtered and sorted as `data` asks."""
    return statement.where(*conditions).order_by(*ISSUE_SORTS[data["sort"]])


def search_page(statement: Select, data: dict[str, Any],
                conditions: list[Any]) -> Select:
    """`statement` (visible issues) filtered, sorted and cut to the page
    `data` asks for."""
    return (searched(statement, data, conditions)
            .limit(min(data["limit"], SEARCH_LIMIT))
            .offset(data["offset"]))


def search_results(viewer: Viewer, data: dict[str, Any],
                   conditions: list[Any]) -> list[dict[str, Any]]:
    """The page of issue dicts `data` asks for."""
    page = search_page(issue_select(viewer), data, conditions)
    return [issue_dict(row) for row in model.Session.execute(page)]


def search_rows(statement: Select, viewer: Viewer, data: dict[str, Any],
                conditions: list[Any]) -> CursorResult:
    """The rows of `statement` (a select from Issue) for the page `data`
    asks for, limited to what `viewer` may see."""
    page = search_page(visibility.visible_issues(statement, viewer), data,
                       conditions)
    # On the session's connection, as Core: the ORM's loading of rows
    # would cost more than the query for a thousand of them.
    return model.Session.connection().execute(page)


def search_matches(statement: Select, viewer: Viewer,
                   data: dict[str, Any], conditions: list[Any]) -> Select:
    """`statement` (a select from Issue) limited to what `viewer` may see,
    filtered and sorted as `data` asks, every match rather than a page."""
    return searched(visibility.visible_issues(statement, viewer), data,
                    conditions)


def facets(viewer: Viewer, conditions: list[Any],
           at_most: int) -> dict[str, dict[str, int]]:
    """{"status": {code: n}, "category": {code: n}} in one grouped scan
    of at most `at_most` matches."""
    matches = visibility.visible_issues(
        sa.select(Issue.status, Issue.category).select_from(Issue), viewer
    ).where(*conditions).limit(at_most).subquery()
    statement = sa.select(matches.c.status, matches.c.category,
                          sa.func.count()).group_by(
        sa.func.grouping_sets(matches.c.status, matches.c.category))
    counts: dict[str, dict[str, int]] = {"status": {}, "category": {}}
    for status, category, count in model.Session.execute(statement):
        if status is not None:
            counts["status"][status] = count
        else:
            counts["category"][category] = count
    return counts


# -- counts ----------------------------------------------------------------

def issue_counts(viewer: Viewer,
                 dataset_ids: list[str]) -> dict[str, dict[str, int]]:
    """{dataset_id: {"open": n, "total": n}} of the issues `viewer` may
    see, for every dataset asked (zeros when it has none), in one
    query."""
    statement = visibility.visible_issues(
        sa.select(Issue.dataset_id,
                  sa.func.count().filter(Issue.status.in_(OPEN_STATUSES)),
                  sa.func.count())
        .select_from(Issue), viewer, dataset_ids
    ).where(Issue.dataset_id.in_(dataset_ids)).group_by(Issue.dataset_id)
    counts = {dataset_id: {"open": 0, "total": 0}
              for dataset_id in dataset_ids}
    for dataset_id, open_count, total in model.Session.execute(statement):
        counts[dataset_id] = {"open": open_count, "total": total}
    return counts


def unread_count(viewer: Viewer) -> int:
    """How many issues `viewer` follows and may see changed since they
    last looked at them."""
    statement = visibility.visible_issues(
        sa.select(sa.func.count()).select_from(Issue), viewer
    ).where(following.unread_by(viewer))
    return model.Session.execute(statement).scalar()


def vote_count(issue_id: str) -> int:
    """The issue's +1s as its row says now."""
    return model.Session.execute(
        sa.select(Issue.vote_count).where(Issue.id == issue_id)).scalar()


# -- issue dicts -----------------------------------------------------------

def issue_select(viewer: Viewer) -> Select:
    """One statement reading visible issues with the names shown beside
    them: dataset, organization, resource, people, original issue, the
    closing reply, and the caller's vote and subscription.

    The names are scalar sub-selects rather than joins: PostgreSQL
    evaluates them for the rows of the page only (after sort and limit),
    and plans them in a fraction of the time of a nine-table join."""
    dataset = model.package_table
    users = model.user_table
    organizations = model.group_table
    statement = sa.select(
        *ISSUE_COLUMNS,
        dataset.c.name.label("dataset_name"),
        dataset.c.title.label("dataset_title"),
        lookup(organizations.c.name, Issue.organization_id,
               "organization_name"),
        lookup(organizations.c.title, Issue.organization_id,
               "organization_title"),
        lookup(model.resource_table.c.name, Issue.resource_id,
               "resource_name"),
        lookup(users.c.name, Issue.assignee_id, "assignee"),
        lookup(users.c.name, Issue.reporter_id, "reporter"),
        lookup(users.c.fullname, Issue.reporter_id, "reporter_fullname"),
        lookup(_ORIGINAL.c.number, Issue.duplicate_of_id,
               "duplicate_of_number"),
        closing_comment().label("closing_comment"),
        waiting_on_us().label("waiting_on_us"),
        sa.and_(Issue.status.in_(OPEN_STATUSES),
                targets.past_target()).label("past_target"),
        visibility.can_manage(viewer).label("managed"),
        caller_has(Vote, viewer).label("voted"),
        caller_has(Subscription, viewer).label("subscribed"),
        following.unread_by(viewer).label("unread"),
    ).select_from(Issue)
    return visibility.visible_issues(statement, viewer)


def lookup(column: Any, issue_column: Any, label: str) -> Any:
    """The `column` of the row whose id `issue_column` holds."""
    return sa.select(column).where(
        column.table.c.id == issue_column).scalar_subquery().label(label)


def closing_comment() -> Any:
    """The public reply posted with the closing change, as a JSON object
    (None when there is none, or it was hidden)."""
    author = model.user_table
    return sa.select(sa.func.json_build_object(
        "id", Comment.id, "body", Comment.body, "created", Comment.created,
        "author", author.c.name, "author_fullname", author.c.fullname,
    )).select_from(Comment).outerjoin(
        author, author.c.id == Comment.author_id
    ).where(Comment.id == Issue.closing_comment_id,
            Comment.internal.is_(False),
            Comment.hidden.is_(False)).scalar_subquery()


def waiting_on_us() -> Any:
    """Whether an open issue waits for the organization: the last public
    word on it is its reporter's (the report itself when nobody answered
    in public). Internal notes are no answer to the reporter."""
    by_reporter = sa.case(
        (Issue.reporter_id.is_not(None),
         Comment.author_id == Issue.reporter_id),
        else_=sa.and_(Comment.author_id.is_(None),
                      sa.func.lower(Comment.author_email)
                      == sa.func.lower(Issue.reporter_email)))
    last_word_by_reporter = sa.select(
        sa.func.coalesce(by_reporter, False)
    ).where(Comment.issue_id == Issue.id, Comment.internal.is_(False),
            Comment.hidden.is_(False)).order_by(
        Comment.created.desc(), Comment.id.desc()).limit(1).scalar_subquery()
    return sa.and_(Issue.status.in_(OPEN_STATUSES),
                   sa.func.coalesce(last_word_by_reporter, True))


def caller_has(table: type[Vote] | type[Subscription],
               viewer: Viewer) -> Any:
    """Whether the caller has a row (a vote, a subscription) on the issue."""
    if viewer.user_id is None:
        return sa.false()
    return sa.exists().where(table.issue_id == Issue.id,
                             table.user_id == viewer.user_id)


def issue_by_id(viewer: Viewer, issue_id: str) -> dict[str, Any] | None:
    """The issue's dict, None when `viewer` may not see it (or it does not
    exist)."""
    statement = issue_select(viewer).where(Issue.id == issue_id)
    row = model.Session.execute(statement).first()
    return None if row is None else issue_dict(row)


def issue_dict(row: Row) -> dict[str, Any]:
    """An issue_select row as the actions answer it; the reporter's email
    only for the organization's editors and admins."""
    values = row._mapping
    issue = {column.key: values[column.key] for column in ISSUE_COLUMNS}
    for key in ("created", "updated", "resolved_at"):
        issue[key] = iso(issue[key])
    reporter_email = issue.pop("reporter_email")
    if values["managed"]:
        issue["reporter_email"] = reporter_email
    issue.pop("closing_comment_id")
    issue.update(
        dataset_name=values["dataset_name"],
        dataset_title=values["dataset_title"],
        organization_name=values["organization_name"],
        organization_title=values["organization_title"],
        resource_name=values["resource_name"],
        assignee=values["assignee"],
        duplicate_of_number=values["duplicate_of_number"],
        reporter=values["reporter"],
        reporter_display_name=display_name(
            values["reporter"], values["reporter_fullname"],
            issue.pop("reporter_name")),
        is_open=issue["status"] in OPEN_STATUSES,
        waiting_on_us=values["waiting_on_us"],
        past_target=values["past_target"],
        closing_comment=closing_comment_dict(values["closing_comment"]),
        voted=values["voted"], subscribed=values["subscribed"],
        unread=values["unread"])
    return issue


def closing_comment_dict(
        closing: dict[str, Any] | None) -> dict[str, Any] | None:
    """The closing_comment JSON object as the issue dict carries it."""
    if closing is None:
        return None
    fullname = closing.pop("author_fullname")
    closing["author_display_name"] = display_name(closing["author"],
                                                  fullname)
    # JSON carries the timestamp as PostgreSQL prints it.
    closing["created"] = iso(datetime.datetime.fromisoformat(
        closing["created"]))
    return closing


# -- comments and timeline -------------------------------------------------

def comments(viewer: Viewer, condition: Any) -> list[dict[str, Any]]:
    """The comments matching `condition` that `viewer` may read, oldest
    first, as dicts."""
    author = aliased(model.User)
    statement = visibility.join_dataset(
        sa.select(Comment, author.name, author.fullname,
                  visibility.can_manage(viewer))
        .select_from(Comment).join(Issue, Issue.id == Comment.issue_id)
    ).outerjoin(author, author.id == Comment.author_id).where(condition)
    statement = visibility.visible_comments(statement, viewer).order_by(
        Comment.created, Comment.id)
    return [comment_dict(*row)
            for row in model.Session.execute(statement)]


def comment_dict(comment: Comment, author: str | None,
                 author_fullname: str | None,
                 managed: bool) -> dict[str, Any]:
    """A comment as the actions answer it; the author's email only for
    the organization's editors and admins (`managed`)."""
    comment_dict = {
        "id": comment.id, "issue_id": comment.issue_id,
        "author_id": comment.author_id, "author": author,
        "author_display_name": display_name(author, author_fullname,
                                            comment.author_name),
        "body": comment.body, "internal": comment.internal,
        "hidden": comment.hidden, "created": iso(comment.created),
        "updated": iso(comment.updated)}
    if managed:
        comment_dict["author_email"] = comment.author_email
    return comment_dict


def events(viewer: Viewer, issue_id: str) -> list[dict[str, Any]]:
    """The issue's timeline as `viewer` may see it, oldest first,
    assignees by user name."""
    actor, old_user, new_user = (aliased(model.User) for _ in range(3))
    is_assignment = Event.kind == "assignee"
    statement = sa.select(
        Event.kind,
        sa.func.coalesce(old_user.name, Event.old_value),
        sa.func.coalesce(new_user.name, Event.new_value),
        actor.name, Event.created,
    ).select_from(Event).outerjoin(
        actor, actor.id == Event.actor_id
    ).outerjoin(old_user, sa.and_(is_assignment,
                                  old_user.id == Event.old_value)
                ).outerjoin(new_user, sa.and_(is_assignment,
                                              new_user.id == Event.new_value)
                            ).where(Event.issue_id == issue_id
                                    ).order_by(Event.created, Event.id)
    statement = visibility.visible_events(
        visibility.join_dataset(
            statement.join(Issue, Issue.id == Event.issue_id)),
        viewer)
    return [{"kind": kind, "old_value": old, "new_value": new,
             "actor": actor_name, "created": iso(created)}
            for kind, old, new, actor_name, created
            in model.Session.execute(statement)]


# -- abuse reports and assignees -------------------------------------------

def abuse_reports(*conditions: Any) -> list[dict[str, Any]]:
    """Report dicts, oldest first, each naming what it reports: the
    issue, the comment, their author, and whether it is hidden now."""
    reporter, author = aliased(model.User), aliased(model.User)
    about_comment = AbuseReport.comment_id.is_not(None)
    statement = sa.select(
        AbuseReport, Issue.number, Issue.title, Issue.dataset_id,
        model.Package.name, Comment.body, reporter.name,
        sa.func.coalesce(
            sa.func.nullif(author.fullname, ""), author.name,
            sa.case((about_comment, Comment.author_name),
                    else_=Issue.reporter_name)),
        sa.case((about_comment, Comment.hidden), else_=Issue.hidden),
    ).select_from(AbuseReport).join(
        Issue, Issue.id == AbuseReport.issue_id
    ).outerjoin(Comment, Comment.id == AbuseReport.comment_id).outerjoin(
        reporter, reporter.id == AbuseReport.reporter_id
    ).outerjoin(author, author.id == sa.case(
        (about_comment, Comment.author_id), else_=Issue.reporter_id))
    statement = visibility.join_dataset(statement).where(
        *conditions).order_by(AbuseReport.created)
    return [{"id": report.id, "issue_id": report.issue_id,
             "issue_number": number, "issue_title": title,
             "dataset_id": dataset_id, "dataset_name": dataset_name,
             "comment_id": report.comment_id, "comment_body": body,
             "author": author_name, "hidden": hidden,
             "reporter": reporter_name,
             "reason": report.reason, "created": iso(report.created),
             "resolved_at": iso(report.resolved_at)}
            for (report, number, title, dataset_id, dataset_name, body,
                 reporter_name, author_name, hidden)
            in model.Session.execute(statement)]


def assignees(organization_id: str) -> list[dict[str, Any]]:
    """The active members of the organization, by name, who may be
    assigned its issues."""
    member = model.member_table
    statement = sa.select(model.User.id, model.User.name,
                          model.User.fullname).join(
        member, member.c.table_id == model.User.id
    ).where(member.c.table_name == "user", member.c.state == "active",
            member.c.capacity.in_(visibility.MEMBER_CAPACITIES),
            member.c.group_id == organization_id,
            model.User.state == "active",
            # CKAN's own site user is an admin of organizations it
            # creates, but nobody to assign work to.
            model.User.name != tk.config.get("ckan.site_id")
            ).order_by(model.User.name)
    return [{"id": user_id, "name": name,
             "display_name": display_name(name, fullname)}
            for user_id, name, fullname in model.Session.execute(statement)]
