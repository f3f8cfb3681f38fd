"""The issues of an Open311 list, read in one lean statement.

A list answers up to 1,000 requests: whole issue dicts (a dozen names
looked up per issue, dates parsed and formatted twice) cost several times
the query. This reads, through helpdesk_issue_search's filters and
permission rule, only the fields a GeoReport request shows, with the dates
already written the W3C way by PostgreSQL, as dicts that
mapping.service_request takes like issue dicts.
"""
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.logic.action import issue_search_rows
from ckanext.helpdesk.model import OPEN_STATUSES, Comment, Issue

# to_char's pattern of a W3C date-time in UTC, with microseconds (which
# order requests of one second): 2010-04-14T06:37:38.123456Z
W3C_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def _w3c(column):
    return sa.func.to_char(sa.func.timezone("UTC", column),
                           W3C_UTC).label(column.key)


def _statement():
    organization = model.group_table
    closing_reply = sa.select(Comment.body).where(
        Comment.id == Issue.closing_comment_id,
        Comment.internal.is_(False),
        Comment.hidden.is_(False)).scalar_subquery()
    return sa.select(
        Issue.id, Issue.number, Issue.dataset_id, Issue.resource_id,
        Issue.category, Issue.title, Issue.description, Issue.status,
        Issue.comment_count, Issue.vote_count,
        _w3c(Issue.created), _w3c(Issue.updated), _w3c(Issue.resolved_at),
        model.Package.name.label("dataset_name"),
        model.Package.title.label("dataset_title"),
        organization.c.name.label("organization_name"),
        organization.c.title.label("organization_title"),
        closing_reply.label("closing_reply"),
    ).select_from(Issue).outerjoin(
        organization, organization.c.id == Issue.organization_id)


def issues(context, filters):
    """The page of issues helpdesk_issue_search finds with `filters`, as
    dicts with the keys of issue dicts that a GeoReport request reads."""
    result = issue_search_rows(context, filters, _statement())
    keys = result.keys()
    found = []
    for row in result:
        issue = dict(zip(keys, row))
        reply = issue.pop("closing_reply")
        issue["closing_comment"] = None if reply is None else {"body": reply}
        issue["is_open"] = issue["status"] in OPEN_STATUSES
        found.append(issue)
    return found
