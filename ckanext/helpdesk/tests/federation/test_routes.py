"""An organization's Open311 routes: set by its admins on the help desk
settings page, checked against the endpoint (its services.json), each
category mapped to one of its services."""
import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.federation.conftest import add_route
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import Visitor


def create(world, user="admin", **fields):
    data = dict(organization_id=world.org["id"], name="City works")
    data.update(fields)
    return call_as(getattr(world, user), "helpdesk_forward_route_create",
                   **data)


def errors_of(excinfo):
    return excinfo.value.error_dict


def test_a_route_needs_a_name_and_an_http_address_that_serves_open311(
        federated, endpoint):
    with pytest.raises(tk.ValidationError) as missing:
        create(federated, name="", base_url="")
    assert set(errors_of(missing)) == {"name", "base_url"}
    with pytest.raises(tk.ValidationError) as not_http:
        create(federated, base_url="ftp://city.example.org/open311")
    assert "https://" in errors_of(not_http)["base_url"][0]
    endpoint.stop()
    with pytest.raises(tk.ValidationError) as down:
        create(federated, base_url=endpoint.url)
    assert "services.json" in errors_of(down)["base_url"][0]


def test_a_route_to_this_portal_itself_is_refused(federated):
    own = tk.config["ckan.site_url"] + "/open311/v2"
    with pytest.raises(tk.ValidationError) as itself:
        create(federated, base_url=own)
    assert "own Open311" in errors_of(itself)["base_url"][0]


def test_a_category_maps_only_to_a_service_the_endpoint_offers(
        federated, endpoint):
    route = create(federated, base_url=endpoint.url, api_key="secret")
    with pytest.raises(tk.ValidationError) as unknown:
        call_as(federated.admin, "helpdesk_forward_route_update",
                id=route["id"], service_codes={"data-problem": "potholes"})
    assert errors_of(unknown) == {"service_codes.data-problem": [
        "potholes is not one of the endpoint's services"]}
    with pytest.raises(tk.ValidationError) as no_category:
        call_as(federated.admin, "helpdesk_forward_route_update",
                id=route["id"], service_codes={"nonsense": "defect"})
    assert "nonsense" in errors_of(no_category)["service_codes"][0]
    saved = call_as(federated.admin, "helpdesk_forward_route_update",
                    id=route["id"], service_codes={"data-problem": "defect",
                                                   "question": ""})
    assert saved["service_codes"] == {"data-problem": "defect"}
    # The key is sent to the endpoint, never shown again.
    assert saved["has_api_key"] is True and "api_key" not in saved


def test_only_the_organizations_admins_manage_its_routes(
        federated, endpoint):
    with pytest.raises(tk.NotAuthorized):
        create(federated, user="editor", base_url=endpoint.url)
    route = add_route(federated, endpoint)
    for action in ("helpdesk_forward_route_update",
                   "helpdesk_forward_route_delete"):
        with pytest.raises(tk.NotAuthorized):
            call_as(federated.editor, action, id=route["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(federated.reporter, "helpdesk_forward_route_list",
                organization_id=federated.org["id"])


def test_the_settings_page_adds_a_route_and_offers_its_services_per_category(
        app, federated, endpoint):
    admin = Visitor(app).sign_in(federated.admin)
    settings = f"/organization/{federated.org['name']}/helpdesk/settings"
    assert "Add an Open311 endpoint" in admin.get(settings).body
    refused = admin.post(f"/organization/{federated.org['name']}/helpdesk/"
                         "routes", {"name": "City works",
                                    "base_url": "not an address"})
    assert refused.status_code == 400
    assert "starting with https://" in refused.body
    assert 'value="City works"' in refused.body  # what was typed stays
    added = admin.post(f"/organization/{federated.org['name']}/helpdesk/"
                       "routes", {"name": "City works",
                                  "base_url": endpoint.url},
                       follow_redirects=False)
    assert added.status_code == 302
    mapping = admin.get(added.headers["Location"]).body
    assert '<option value="defect">Defect (defect)</option>' in mapping
    assert 'name="service_code-data-problem"' in mapping
    saved = admin.post(added.headers["Location"],
                       {"service_code-data-problem": "defect"},
                       follow_redirects=False)
    assert saved.status_code == 302
    assert "Data problem &rarr; <code>defect</code>" in admin.get(
        settings).body
