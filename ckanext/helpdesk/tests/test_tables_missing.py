"""An operator who enables the plugin before `ckan db upgrade -p helpdesk`:
CKAN's own dataset editing and pages keep working, every help desk page
says which command to run, and once it has run the help desk works without
a restart. Served by a real CKAN server on a database whose help desk
tables were migrated away."""
import pytest
import requests

from ckan.tests import factories

from ckanext.helpdesk.tests.conftest import ckan_server

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

UPGRADE = "ckan db upgrade -p helpdesk"


@pytest.fixture
def without_helpdesk_tables(migrate_db_for):
    migrate_db_for("helpdesk", "base", forward=False)
    try:
        yield
    finally:
        # Whatever happened, the rest of the suite finds its tables.
        migrate_db_for("helpdesk")


def call(portal, token, action, **data):
    return requests.post(f"{portal}/api/3/action/{action}", json=data,
                         headers={"Authorization": token}, timeout=60)


def test_ckan_keeps_working_and_the_help_desk_names_the_command(
        without_helpdesk_tables, ckan_cli):
    admin = factories.Sysadmin()
    token = factories.APIToken(user=admin["name"])["token"]
    with ckan_server() as url:
        organization = call(url, token, "organization_create",
                            name="transport").json()["result"]
        created = call(url, token, "package_create", name="bus-stops",
                       owner_org=organization["id"])
        patched = call(url, token, "package_patch", id="bus-stops",
                       title="Bus stops, 2026")
        resource = call(url, token, "resource_create", package_id="bus-stops",
                        url="https://example.org/stops.csv", name="Stops")
        dataset_page = requests.get(f"{url}/dataset/bus-stops", timeout=60)
        issues_page = requests.get(f"{url}/dataset/bus-stops/issues",
                                   timeout=60)
        open311 = requests.get(f"{url}/open311/v2/services.json", timeout=60)

        assert [r.status_code for r in (created, patched, resource)] == [
            200, 200, 200]
        assert patched.json()["result"]["title"] == "Bus stops, 2026"
        assert dataset_page.status_code == 200
        assert "Bus stops, 2026" in dataset_page.text
        assert "helpdesk-button" not in dataset_page.text
        assert issues_page.status_code == 503
        assert UPGRADE in issues_page.text
        assert open311.status_code == 503

        assert ckan_cli("db", "upgrade", "-p", "helpdesk").returncode == 0
        # The same server process, no restart.
        issues_page = requests.get(f"{url}/dataset/bus-stops/issues",
                                   timeout=60)
        dataset_page = requests.get(f"{url}/dataset/bus-stops", timeout=60)

    assert issues_page.status_code == 200
    assert "Bus stops, 2026" in issues_page.text
    assert "helpdesk-button" in dataset_page.text
