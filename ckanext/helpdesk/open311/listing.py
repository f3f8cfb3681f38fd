"""The issues of Open311 answers, read in one lean statement.

A list answers up to 1,000 requests: whole issue dicts (a dozen names
looked up per issue, dates parsed and formatted twice) cost several times
the query, and so does any per-row work in Python. This reads, through
helpdesk_issue_search's filters and permission rule, only the fields a
GeoReport request shows, with everything that needs no translation
already decided and written by PostgreSQL: the open/closed status and its
notes, the description (the title when there is none) and the dates the
W3C way, to the second. mapping.service_request adds the names.

A dataset's spatial extent (ckanext-spatial's ``spatial`` extra, GeoJSON)
gives the request's lat/long: its centroid, computed once per dataset of
an answer (geometry.py).
"""
import functools

import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.logic.action import issue_search_rows
from ckanext.helpdesk.model import OPEN_STATUSES, Comment, Issue
from ckanext.helpdesk.open311 import geometry

SPATIAL_EXTRA = "spatial"

# to_char's pattern of a W3C date-time in UTC, as answers give it:
# 2010-04-14T06:37:38Z. Merging lists orders by `created` with its
# microseconds (requests of one second), a pattern that sorts as text.
W3C_UTC = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
W3C_UTC_MICROSECONDS = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def w3c(moment, label, pattern=W3C_UTC):
    return sa.func.to_char(sa.func.timezone("UTC", moment),
                           pattern).label(label)


@functools.cache
def _statement():
    """Built once: the filters and the rule are added per call."""
    organization = model.group_table
    closed = Issue.status.not_in(OPEN_STATUSES)
    closing_reply = sa.select(Comment.body).where(
        Comment.id == Issue.closing_comment_id,
        Comment.internal.is_(False),
        Comment.hidden.is_(False)).scalar_subquery()
    return sa.select(
        Issue.id, Issue.number, Issue.dataset_id, Issue.resource_id,
        Issue.category, Issue.title, Issue.status,
        Issue.comment_count, Issue.vote_count,
        sa.case((closed, "closed"), else_="open").label("open311_status"),
        sa.case((closed, closing_reply)).label("status_notes"),
        sa.func.coalesce(sa.func.nullif(Issue.description, ""),
                         Issue.title).label("description"),
        w3c(Issue.created, "requested_datetime"),
        # The spec: for closed requests, the date it was closed.
        w3c(sa.func.coalesce(sa.case((closed, Issue.resolved_at)),
                              Issue.updated), "updated_datetime"),
        w3c(Issue.created, "created", W3C_UTC_MICROSECONDS),
        model.Package.name.label("dataset_name"),
        model.Package.title.label("dataset_title"),
        organization.c.name.label("organization_name"),
        organization.c.title.label("organization_title"),
        _spatial_extra().label("spatial"),
    ).select_from(Issue).outerjoin(
        organization, organization.c.id == Issue.organization_id)


def _spatial_extra():
    """The `spatial` extra of the issue's dataset. CKAN keeps extras in
    their own table (2.10, 2.11); a CKAN without it keeps them as JSON on
    the dataset."""
    table = getattr(model, "package_extra_table", None)
    if table is None:
        return model.Package.extras[SPATIAL_EXTRA].astext
    return sa.select(table.c.value).where(
        table.c.package_id == Issue.dataset_id,
        table.c.key == SPATIAL_EXTRA,
        table.c.state == "active").limit(1).scalar_subquery()


def issues(context, filters):
    """The page of issues helpdesk_issue_search finds with `filters`, as
    dicts of the columns above, which mapping.service_request reads."""
    result = issue_search_rows(context, filters, _statement())
    keys = result.keys()
    # all() fetches the rows in one call, not one call per row.
    found = [dict(zip(keys, row)) for row in result.all()]
    centroids = {}
    for issue in found:
        spatial = issue.pop("spatial")
        if spatial not in centroids:
            centroids[spatial] = geometry.centroid(spatial)
        issue["lat"], issue["long"] = centroids[spatial] or (None, None)
    return found
