"""Finding the objects actions and auth functions are about, by id or by
name (or, for issues, by dataset/organization and number)."""
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import Comment, Issue


def by_id_or_name(model_class, value):
    """A sub-select of the id of the row whose id or name is `value`."""
    return sa.select(model_class.id).where(
        sa.or_(model_class.id == value, model_class.name == value)
    ).scalar_subquery()


def issue_from(data_dict, id_key="id"):
    """The issue named by `data_dict[id_key]`, or by `number` with
    `dataset_id` (an issue of the dataset) or `organization_id` (a data
    request of the organization). Raises ObjectNotFound."""
    query = model.Session.query(Issue)
    if data_dict.get(id_key):
        issue = query.filter(Issue.id == data_dict[id_key]).first()
    elif data_dict.get("number") and data_dict.get("dataset_id"):
        issue = query.filter(
            Issue.dataset_id == by_id_or_name(model.Package,
                                              data_dict["dataset_id"]),
            Issue.number == _as_number(data_dict["number"])).first()
    elif data_dict.get("number") and data_dict.get("organization_id"):
        issue = query.filter(
            Issue.dataset_id.is_(None),
            Issue.organization_id == by_id_or_name(
                model.Group, data_dict["organization_id"]),
            Issue.number == _as_number(data_dict["number"])).first()
    else:
        raise tk.ValidationError(
            {id_key: [tk._("Missing value")]})
    if issue is None:
        raise tk.ObjectNotFound(tk._("Issue not found"))
    return issue


def _as_number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise tk.ValidationError({"number": [tk._("Invalid integer")]})


def comment_from(data_dict, id_key="id"):
    comment = model.Session.get(Comment, data_dict.get(id_key) or "")
    if comment is None:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    return comment


def owning_org_id(issue):
    """The organization that owns the issue now: its dataset's owner
    (datasets can move between organizations) or the data request's."""
    dataset = issue.dataset_id and model.Package.get(issue.dataset_id)
    return (dataset and dataset.owner_org) or issue.organization_id
