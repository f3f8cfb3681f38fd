"""Finding the objects actions and auth functions are about, by id or by
name (or, for issues, by dataset/organization and number).

An issue or a comment the caller may not see is not found, exactly like a
missing one, so no answer tells which issues exist. Each lookup validates
the keys it reads (schemas of logic/schema.py) and keeps what it found in
the context, so an action and its auth function look it up once (as
CKAN's ckanext/activity keeps its activity in the context).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement, Select

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import schema
from ckanext.helpdesk.model import AbuseReport, Comment, Issue


def by_id_or_name(model_class: Any, value: str) -> ColumnElement[Any]:
    """A sub-select of the id of the row whose id or name is `value`. The
    id wins, as in CKAN's own Package.get: a dataset may be *named* like
    another one's id, and both rows would answer."""
    return sa.select(model_class.id).where(
        sa.or_(model_class.id == value, model_class.name == value)
    ).order_by((model_class.id == value).desc()).limit(1).scalar_subquery()


def ids_of(model_class: Any, values: Iterable[str]) -> Select:
    """A sub-select of the ids of the rows named by `values` (ids or
    names), as by_id_or_name for each: a name counts only when no row has
    it as its id."""
    # The mapped table: CKAN 2.10's classically mapped models (Group) have
    # no __table__.
    ids = sa.inspect(model_class).local_table.alias()
    return sa.select(model_class.id).where(sa.or_(
        model_class.id.in_(values),
        sa.and_(model_class.name.in_(values),
                model_class.name.not_in(
                    sa.select(ids.c.id).where(ids.c.id.in_(values))))))


def _validated(data_dict: DataDict, reference_schema: Schema,
               context: Context) -> DataDict:
    data, errors = tk.navl_validate(data_dict, reference_schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _kept(context: Context, reference: tuple[Any, ...],
          find: Callable[[], Any]) -> Any:
    """What `find()` answers for `reference`, once per context: the found
    objects are kept by reference, so a context used for several calls
    never answers one object for another."""
    found = context.setdefault("helpdesk_found", {})
    if reference not in found:
        found[reference] = find()
    return found[reference]


def issue_from(context: Context, data_dict: DataDict,
               id_key: str = "id") -> Issue:
    """The issue named by `data_dict[id_key]`, or by `number` with
    `dataset_id` (an issue of the dataset) or `organization_id` (a data
    request of the organization), if the caller may see it. Raises
    ValidationError for a missing or ill-typed key, ObjectNotFound for an
    issue that does not exist or that the caller may not see."""
    data = _validated(data_dict, schema.issue_reference_schema(id_key),
                      context)
    if data.get(id_key):
        condition = Issue.id == data[id_key]
    elif data.get("number") is not None and data.get("dataset_id"):
        condition = sa.and_(
            Issue.dataset_id == by_id_or_name(model.Package,
                                              data["dataset_id"]),
            Issue.number == data["number"])
    elif data.get("number") is not None and data.get("organization_id"):
        condition = sa.and_(
            Issue.dataset_id.is_(None),
            Issue.organization_id == by_id_or_name(model.Group,
                                                   data["organization_id"]),
            Issue.number == data["number"])
    else:
        raise tk.ValidationError({id_key: [tk._("Missing value")]})
    reference = ("issue",) + tuple(data.get(key) for key in (
        id_key, "number", "dataset_id", "organization_id"))

    def find() -> Issue | None:
        statement = visibility.visible_issues(
            sa.select(Issue), visibility.viewer_from_context(context)
        ).where(condition)
        return model.Session.execute(statement).scalar()
    issue = _kept(context, reference, find)
    if issue is None:
        raise tk.ObjectNotFound(tk._("Issue not found"))
    return issue


def comment_from(context: Context, data_dict: DataDict,
                 id_key: str = "id") -> Comment:
    """The comment `data_dict[id_key]`, if the caller may read it (its
    issue visible to them, an internal note only to the organization's
    members, a hidden comment only to its managers). Raises
    ValidationError or ObjectNotFound as issue_from does."""
    comment_id = _validated(data_dict, schema.comment_reference_schema(
        id_key), context)[id_key]

    def find() -> Comment | None:
        viewer = visibility.viewer_from_context(context)
        statement = visibility.visible_comments(visibility.visible_issues(
            sa.select(Comment).join(Issue, Issue.id == Comment.issue_id),
            viewer), viewer).where(Comment.id == comment_id)
        return model.Session.execute(statement).scalar()
    comment = _kept(context, ("comment", comment_id), find)
    if comment is None:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    return comment


def abuse_report_from(context: Context, data_dict: DataDict) -> AbuseReport:
    """The abuse report `data_dict["id"]`; the auth function decides who
    may learn that it exists. Raises ValidationError or ObjectNotFound."""
    report_id = _validated(data_dict, schema.comment_reference_schema(),
                           context)["id"]
    report = _kept(context, ("abuse_report", report_id),
                   lambda: model.Session.get(AbuseReport, report_id))
    if report is None:
        raise tk.ObjectNotFound(tk._("Abuse report not found"))
    return report


def organization_from(context: Context,
                      data_dict: DataDict) -> model.Group:
    """The active organization `data_dict["organization_id"]` (id or
    name); organizations are public, so any caller learns it exists."""
    value = _validated(data_dict, schema.organization_reference_schema(),
                       context)["organization_id"]
    group = _kept(context, ("organization", value),
                  lambda: model.Group.get(value))
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return group


def owning_org_id(issue: Issue) -> str:
    """The organization that owns the issue now: its dataset's owner
    (datasets can move between organizations) or the data request's."""
    dataset = issue.dataset_id and model.Package.get(issue.dataset_id)
    return (dataset and dataset.owner_org) or issue.organization_id
