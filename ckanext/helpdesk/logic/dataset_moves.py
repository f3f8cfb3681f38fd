"""Issues follow their dataset when it moves to another organization, so
organization queues, filters and Open311's agency_responsible stay right."""
from __future__ import annotations

import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.model import Issue


def follow_owner(dataset_id: str, owner_org: str | None) -> None:
    """Give the dataset's issues its new organization, in the transaction
    of the dataset update (package_update commits after its plugins ran)."""
    if not owner_org:
        return
    model.Session.execute(sa.update(Issue).where(
        Issue.dataset_id == dataset_id,
        Issue.organization_id != owner_org,
    ).values(organization_id=owner_org).execution_options(
        synchronize_session=False))
