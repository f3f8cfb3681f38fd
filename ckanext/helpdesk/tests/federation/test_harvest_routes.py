"""Harvested datasets route to their source: a public dataset harvested
with ckanext-harvest's CKAN harvester has its issues forwarded to the
source portal's help desk (found from its discovery.json), about the
source's own dataset; a private one's never go there."""
import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.federation import forwarding
from ckanext.helpdesk.model import Forward
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.federation.conftest import add_route

pytestmark = pytest.mark.ckan_config(
    "ckan.plugins", "helpdesk harvest ckan_harvester")


@pytest.fixture
def harvest_tables(with_plugins, clean_db, migrate_db_for):
    """ckanext-harvest's tables, before any dataset is made (its plugin
    reads them when one is). They stay for the rest of the session: once
    loaded, its model maps harvest objects onto CKAN's datasets for good,
    and purging a dataset reads them."""
    model.Session.remove()
    migrate_db_for("harvest")


def harvested_from(portal_url, dataset, guid):
    """Record `dataset` as harvested from `portal_url` (its id there
    `guid`), as the CKAN harvester's import stage does."""
    session = model.Session
    source_id, job_id = "source-" + guid, "job-" + guid
    session.execute(sa.text(
        "INSERT INTO harvest_source (id, url, title, type, active, created)"
        " VALUES (:id, :url, 'Source portal', 'ckan', true, now())"),
        {"id": source_id, "url": portal_url})
    session.execute(sa.text(
        "INSERT INTO harvest_job (id, source_id, status, created)"
        " VALUES (:id, :source, 'Finished', now())"),
        {"id": job_id, "source": source_id})
    session.execute(sa.text(
        "INSERT INTO harvest_object (id, guid, current, package_id,"
        " harvest_job_id, harvest_source_id, state, import_finished)"
        " VALUES (:id, :guid, true, :package, :job, :source, 'COMPLETE',"
        " now())"), {"id": "object-" + guid, "guid": guid,
                     "package": dataset["id"], "job": job_id,
                     "source": source_id})
    session.commit()


def forwards_of(issue_id):
    model.Session.expire_all()
    return model.Session.execute(sa.select(Forward).where(
        Forward.issue_id == issue_id)).scalars().all()


def test_a_harvested_datasets_issue_goes_to_its_source_about_its_own_dataset(
        harvest_tables, federated, endpoint):
    portal = f"http://127.0.0.1:{endpoint.port}/"
    harvested_from(portal, federated.public, "remote-bus-stops")
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    [forward] = forwards_of(issue["id"])
    assert (forward.route_kind, forward.base_url) == ("harvest", portal)
    forwarding.send_pending()
    [forward] = forwards_of(issue["id"])
    assert forward.state == "delivered"
    # Its discovery.json led to the Open311 endpoint.
    assert forward.base_url == endpoint.url
    [sent] = endpoint.created.values()
    assert sent["attribute[dataset]"] == "remote-bus-stops"


def test_a_private_harvested_datasets_issue_goes_only_to_its_own_routes(
        harvest_tables, federated, endpoint, helpdesk_endpoint):
    harvested_from(f"http://127.0.0.1:{endpoint.port}/", federated.private,
                   "remote-secret")
    add_route(federated, helpdesk_endpoint)
    issue = factories.Issue(user=federated.editor,
                            dataset_id=federated.private["id"])
    forwarding.send_pending()
    assert [(f.route_kind, f.base_url, f.state)
            for f in forwards_of(issue["id"])] == [
        ("route", helpdesk_endpoint.url, "delivered")]
    assert endpoint.created == {}
    assert endpoint.calls == []
