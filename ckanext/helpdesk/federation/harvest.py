"""A harvested dataset's source, from ckanext-harvest's tables (read only,
and only where its `harvest` plugin is loaded: elsewhere the tables do
not exist).

ckanext-harvest's CKAN harvester keeps, per dataset, its current harvest
object: its guid is the dataset's id on the remote portal, its source's
url is that portal. The source is itself a dataset (of type harvest),
whose name the operator's ckanext.helpdesk.forward.harvest_routes use.
"""
from __future__ import annotations

import collections

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p

Source = collections.namedtuple("Source", "name title url remote_dataset")

# The source types whose guid is the remote portal's dataset id.
CKAN_HARVESTER = "ckan"

_SOURCE_OF = sa.text("""
    SELECT source_package.name, source.title, source.url, object.guid
    FROM harvest_object AS object
    JOIN harvest_source AS source ON source.id = object.harvest_source_id
    LEFT JOIN package AS source_package ON source_package.id = source.id
    WHERE object.package_id = :dataset_id AND object.current
      AND source.type = :source_type
    ORDER BY object.import_finished DESC NULLS LAST
    LIMIT 1
""")


def source_of(dataset_id: str) -> Source | None:
    """The CKAN harvest source the dataset came from, or None."""
    if not p.plugin_loaded("harvest"):
        return None
    row = model.Session.execute(_SOURCE_OF, {
        "dataset_id": dataset_id, "source_type": CKAN_HARVESTER}).first()
    if row is None or not row.url or not row.guid:
        return None
    return Source(row.name, row.title, row.url, row.guid)
