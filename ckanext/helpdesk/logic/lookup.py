"""Finding the objects actions and auth functions are about, by id or by
name (or, for issues, by dataset/organization and number)."""
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.logic import text
from ckanext.helpdesk.model import Comment, Issue

MAX_NUMBER = 2**31 - 1  # PostgreSQL's integer


def by_id_or_name(model_class, value):
    """A sub-select of the id of the row whose id or name is `value`. The
    id wins, as in CKAN's own Package.get: a dataset may be *named* like
    another one's id, and both rows would answer."""
    return sa.select(model_class.id).where(
        sa.or_(model_class.id == value, model_class.name == value)
    ).order_by((model_class.id == value).desc()).limit(1).scalar_subquery()


def ids_of(model_class, values):
    """A sub-select of the ids of the rows named by `values` (ids or
    names), as by_id_or_name for each: a name counts only when no row has
    it as its id."""
    ids = model_class.__table__.alias()
    return sa.select(model_class.id).where(sa.or_(
        model_class.id.in_(values),
        sa.and_(model_class.name.in_(values),
                model_class.name.not_in(
                    sa.select(ids.c.id).where(ids.c.id.in_(values))))))


def checked_key(data_dict, key):
    """`data_dict[key]` if it can name a row (text of a sensible length,
    without control characters), else a ValidationError naming `key`:
    PostgreSQL would refuse a NUL or a list with a 500."""
    value = data_dict.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise tk.ValidationError({key: [tk._("Must be a string")]})
    error = text.problem(value, text.ID_LENGTH)
    if error:
        raise tk.ValidationError({key: [error]})
    return value


def issue_from(data_dict, id_key="id"):
    """The issue named by `data_dict[id_key]`, or by `number` with
    `dataset_id` (an issue of the dataset) or `organization_id` (a data
    request of the organization). Raises ObjectNotFound."""
    query = model.Session.query(Issue)
    keys = {key: checked_key(data_dict, key)
            for key in (id_key, "dataset_id", "organization_id")}
    if keys[id_key]:
        issue = query.filter(Issue.id == keys[id_key]).first()
    elif data_dict.get("number") and keys["dataset_id"]:
        issue = query.filter(
            Issue.dataset_id == by_id_or_name(model.Package,
                                              keys["dataset_id"]),
            Issue.number == _as_number(data_dict["number"])).first()
    elif data_dict.get("number") and keys["organization_id"]:
        issue = query.filter(
            Issue.dataset_id.is_(None),
            Issue.organization_id == by_id_or_name(
                model.Group, keys["organization_id"]),
            Issue.number == _as_number(data_dict["number"])).first()
    else:
        raise tk.ValidationError(
            {id_key: [tk._("Missing value")]})
    if issue is None:
        raise tk.ObjectNotFound(tk._("Issue not found"))
    return issue


def _as_number(value):
    """Issue numbers are PostgreSQL integers: a larger one names none."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise tk.ValidationError(
            {"number": [tk._("Invalid integer")]}) from None
    if not 0 < number <= MAX_NUMBER:
        raise tk.ValidationError({"number": [
            tk._("Must be a whole number from 1 to {0}").format(
                MAX_NUMBER)]})
    return number


def comment_from(data_dict, id_key="id"):
    comment = model.Session.get(Comment, checked_key(data_dict, id_key)
                                or "")
    if comment is None:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    return comment


def owning_org_id(issue):
    """The organization that owns the issue now: its dataset's owner
    (datasets can move between organizations) or the data request's."""
    dataset = issue.dataset_id and model.Package.get(issue.dataset_id)
    return (dataset and dataset.owner_org) or issue.organization_id
