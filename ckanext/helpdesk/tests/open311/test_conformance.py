"""Every endpoint, in both formats, against the GeoReport v2 field lists,
the JSON Schema and the XSD (see conftest.check_answer), and every error
case in the spec's error body."""
import json
import urllib.parse

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.open311.conftest import BASE, check_answer

FORMATS = ["json", "xml"]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name",
    "service_code", "description", "agency_responsible", "service_notice",
    "requested_datetime", "updated_datetime", "expected_datetime", "address",
    "address_id", "zipcode", "lat", "long", "media_url"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata",
                  "type", "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required",
                    "datatype_description", "order", "description", "values"]

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def only_error(data, code):
    """The description of the one error of an answer (XML read back gives
    the code as text)."""
    assert [str(error["code"]) for error in data] == [str(code)]
    return data[0]["description"]


# -- discovery ----------------------------------------------------------------

def test_discovery_names_this_endpoint_and_both_formats(open311_client):
    data = open311_client.both("discovery", kind="discovery")
    assert list(data) == ["changeset", "contact", "key_service", "endpoints"]
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://127.0.0.1:5050" + BASE
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"


@pytest.mark.parametrize("path", [BASE, BASE + "/"])
def test_base_url_answers_discovery_with_and_without_slash(app, path):
    check_answer(app.test_client().get(path), "xml", "discovery")


@pytest.mark.parametrize("fmt", FORMATS)
def test_base_url_with_trailing_slash_joined_to_a_path_works(app, fmt):
    response = app.test_client().get(f"{BASE}//services.{fmt}")
    assert response.status_code == 200
    check_answer(response, fmt, "services")


@pytest.mark.ckan_config("ckanext.helpdesk.open311.prefix", "/api/311/")
def test_prefix_is_configurable(app):
    response = app.test_client().get("/api/311/services.json")
    check_answer(response, "json", "services")


# -- services -----------------------------------------------------------------

def test_services_are_the_categories(open311_client):
    services = open311_client.both("services", kind="services")
    assert [s["service_code"] for s in services] == [
        "data-problem", "improvement", "question", "data-request"]
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is True
        assert service["type"] == "realtime"
    assert services[0]["service_name"] == "Data problem"
    assert services[0]["description"].startswith("Something in the data")


@pytest.mark.ckan_config("ckanext.helpdesk.open311.moderate_new_requests",
                         "true")
def test_services_are_batch_when_reports_are_moderated(open311_client):
    services = open311_client.both("services", kind="services")
    assert {s["type"] for s in services} == {"batch"}


def test_service_definition_asks_for_dataset_and_resource(open311_client):
    definition = open311_client.both("services/data-problem",
                                     kind="service_definition")
    assert definition["service_code"] == "data-problem"
    attributes = definition["attributes"]
    for attribute in attributes:
        assert list(attribute) == ATTRIBUTE_FIELDS
    assert [(a["code"], a["required"], a["order"]) for a in attributes] == [
        ("dataset", True, 1), ("resource", False, 2), ("title", False, 3)]


def test_data_request_definition_asks_for_an_organization(open311_client):
    definition = open311_client.both("services/data-request",
                                     kind="service_definition")
    assert [(a["code"], a["required"]) for a in definition["attributes"]] == [
        ("organization", True), ("title", False)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_404(open311_client, fmt):
    data = open311_client.get("services/potholes", fmt, expect=404)
    assert "potholes" in only_error(data, 404)


# -- GET requests -------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_has_every_field_of_the_spec(open311_client, desk, fmt):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"])
    [request] = open311_client.get("requests", fmt)
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == issue["id"]


def test_request_reads_as_the_spec_describes(open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                            resource_id=desk["resource"]["id"],
                            description="Stop 12 is in the river.")
    [request] = open311_client.both(f"requests/{issue['id']}")
    assert request["status"] == "open"
    assert request["status_notes"] is None
    assert request["service_code"] == "data-problem"
    assert request["service_name"] == "Data problem"
    assert request["description"] == "Stop 12 is in the river."
    assert request["agency_responsible"] == "City Data Office"
    assert request["service_notice"] == "New"
    assert request["address"] == "Bus stops"
    assert request["address_id"] == "buses"
    assert request["requested_datetime"].endswith("Z")
    assert request["expected_datetime"] is None
    assert "extended_attributes" not in request


def test_extensions_add_the_issue_page_and_title(open311_client, desk):
    issue = factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                            title="Wrong coordinates")
    [request] = open311_client.both(f"requests/{issue['id']}",
                                    extensions="true")
    extended = request["extended_attributes"]
    assert extended["url"] == "http://127.0.0.1:5050/dataset/buses/issues/1"
    assert extended["title"] == "Wrong coordinates"
    assert extended["number"] == 1
    assert extended["status"] == "new"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_is_404(open311_client, fmt):
    open311_client.get("requests/no-such-issue", fmt, expect=404)


@pytest.mark.parametrize("date", ["2026-01-01T00:00:00+16:00",
                                  "0001-01-01T00:00:00+01:00",
                                  "9999-12-31T23:59:59-01:00"])
def test_any_offset_and_year_is_a_date_or_a_400(open311_client, date):
    """Found by the fuzz: PostgreSQL takes no offset beyond 15:59, and 90
    days before year 1 is no date."""
    response = open311_client.client.get(
        f"{BASE}/requests.json?end_date={urllib.parse.quote(date)}")
    ok = response.status_code == 200
    data = check_answer(response, "json",
                        "service_requests" if ok else "errors")
    assert ok or only_error(data, 400) in (
        "The dates are out of range",
        "end_date must be a W3C date-time with a time zone, "
        "e.g. 2010-01-01T00:00:00Z")


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_in_the_path_are_400(open311_client, fmt):
    data = open311_client.get("requests/a%00b", fmt, expect=400)
    assert "service_request_id contains control characters" in only_error(
        data, 400)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params, message", [
    ({"status": "pending"}, "status 'pending'"),
    ({"service_code": "potholes"}, "service_code 'potholes'"),
    ({"start_date": "2026-01-01T00:00:00"}, "start_date"),
    ({"end_date": "yesterday"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z",
      "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
    ({"start_date": "2026-02-01T00:00:00Z",
      "end_date": "2026-01-01T00:00:00Z"}, "earlier"),
    ({"page": "0"}, "page"),
    ({"page": "two"}, "page"),
    ({"page": "10000000000000000"}, "page must be a whole number"),
    ({"page_size": "1001"}, "page_size"),
    ({"service_request_id": "a\x00"},
     "service_request_id contains control characters"),
])
def test_bad_query_parameter_is_400(open311_client, fmt, params, message):
    data = open311_client.get("requests", fmt, expect=400, **params)
    assert message in only_error(data, 400)


# -- POST requests ------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_post_answers_an_array_of_one_id(open311_client, desk, fmt):
    [created] = open311_client.post(
        fmt, api_key=desk["tokens"]["reporter"], service_code="data-problem",
        **{"attribute[dataset]": "buses"}, description="Stop 3 is missing")
    assert list(created) == ["service_request_id", "service_notice",
                             "account_id"]
    assert created["account_id"] == "reporter"
    issue = call_as("reporter", "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["title"] == "Stop 3 is missing"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("form, status, message", [
    ({}, 400, "service_code is required"),
    ({"service_code": "potholes"}, 404, "service_code 'potholes'"),
    ({"service_code": "data-problem", "description": "x"}, 400,
     "attribute[dataset] is required"),
    ({"service_code": "data-problem", "description": "x",
      "attribute[dataset]": "no-such-dataset"}, 400,
     "attribute[dataset]: Dataset not found"),
    ({"service_code": "data-problem", "attribute[dataset]": "buses"}, 400,
     "description is required"),
    ({"service_code": "data-problem", "attribute[dataset]": "buses",
      "description": "x" * 4001}, 400, "4000"),
    ({"service_code": "data-problem", "attribute[dataset]": "buses",
      "description": "x", "attribute[resource]": "nope"}, 400,
     "attribute[resource]"),
    ({"service_code": "data-problem", "attribute[dataset]": "buses",
      "description": "a\x00b\x1b"}, 400,
     "description contains control characters"),
    ({"service_code": "data-request", "description": "x"}, 400,
     "attribute[organization] is required"),
    ({"service_code": "data-problem", "attribute[dataset]": "buses",
      "description": "x", "jurisdiction_id": "elsewhere.gov"}, 404,
     "jurisdiction_id"),
])
def test_post_errors(open311_client, desk, fmt, form, status, message):
    data = open311_client.post(fmt, expect=status,
                               api_key=desk["tokens"]["reporter"], **form)
    assert message in data[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_with_invalid_api_key_is_403(open311_client, desk, fmt):
    data = open311_client.post(
        fmt, expect=403, api_key="not-a-token", service_code="data-problem",
        description="x", **{"attribute[dataset]": "buses"})
    assert data[0]["description"] == "Invalid api_key"


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_without_api_key_is_403_unless_anonymous_allowed(
        open311_client, fmt):
    data = open311_client.post(fmt, expect=403, service_code="data-problem",
                               description="x")
    assert data[0]["description"] == "api_key required"


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
@pytest.mark.ckan_config("ckanext.helpdesk.open311.require_api_key", "true")
def test_require_api_key_refuses_anonymous_reports(open311_client, desk):
    open311_client.post(expect=403, service_code="data-problem",
                        description="x", email="a@example.org",
                        **{"attribute[dataset]": "buses"})


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_anonymous_report_needs_an_email(open311_client, desk):
    data = open311_client.post(expect=400, service_code="data-problem",
                               description="x",
                               **{"attribute[dataset]": "buses"})
    assert "email is required" in data[0]["description"]


def test_post_accepts_the_token_in_the_authorization_header(
        open311_client, desk):
    [created] = open311_client.post(
        headers={"Authorization": desk["tokens"]["editor"]},
        service_code="question", description="Which datum?",
        **{"attribute[dataset]": "buses"})
    assert created["account_id"] == "editor"


# -- general errors -----------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_is_checked(open311_client, fmt):
    open311_client.get("services", fmt, kind="services",
                       jurisdiction_id="127.0.0.1")
    open311_client.get("services", fmt, expect=404,
                       jurisdiction_id="sfgov.org")


@pytest.mark.ckan_config("ckanext.helpdesk.open311.jurisdiction_id",
                         "data.example.gov")
def test_configured_jurisdiction_is_the_one_accepted(open311_client):
    open311_client.get("services", kind="services",
                       jurisdiction_id="data.example.gov")
    open311_client.get("services", expect=404, jurisdiction_id="127.0.0.1")


@pytest.mark.parametrize("path", ["services.html", "services.csv",
                                  "requests/abc.yaml", "discovery.XML2"])
def test_unknown_format_is_400_in_xml(app, path):
    response = app.test_client().get(f"{BASE}/{path}")
    assert response.status_code == 400
    check_answer(response, "xml", "errors")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["nothing", "services/a/b", "requests",
                                  "tokens"])
def test_unknown_path_is_404_in_the_format_asked(app, fmt, path):
    response = app.test_client().get(f"{BASE}/{path}/x.{fmt}")
    assert response.status_code == 404
    check_answer(response, fmt, "errors")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["nothing", "services/a/b", "requests/a/b",
                                  "tokens/a/b"])
def test_unknown_path_is_404_whatever_the_method(app, fmt, method, path):
    """Not 405: there is no resource there to allow any method."""
    client = app.test_client()
    response = getattr(client, method)(f"{BASE}/{path}/x.{fmt}")
    assert response.status_code == 404
    check_answer(response, fmt, "errors")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method, path, allowed", [
    ("post", "services", "GET, HEAD, OPTIONS"),
    ("put", "requests", "GET, HEAD, OPTIONS, POST"),
    ("delete", "requests/x", "GET, HEAD, OPTIONS"),
    ("post", "discovery", "GET, HEAD, OPTIONS"),
])
def test_wrong_method_is_405_in_the_format_asked(app, fmt, method, path,
                                                 allowed):
    client = app.test_client()
    response = getattr(client, method)(f"{BASE}/{path}.{fmt}")
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    check_answer(response, fmt, "errors")


def test_get_answers_allow_cross_origin_reads(app):
    response = app.test_client().get(f"{BASE}/services.json",
                                     headers={"Origin": "https://app.test"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = app.test_client().options(
        f"{BASE}/requests.json", headers={
            "Origin": "https://app.test",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization"})
    assert "Authorization" in preflight.headers[
        "Access-Control-Allow-Headers"]
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_openapi_document_describes_every_endpoint(app):
    response = app.test_client().get(f"{BASE}/openapi.json")
    document = json.loads(response.get_data(as_text=True))
    assert document["servers"] == [{"url": "http://127.0.0.1:5050" + BASE}]
    assert set(document["paths"]) == {
        "/discovery.{format}", "/services.{format}",
        "/services/{service_code}.{format}", "/requests.{format}",
        "/requests/{service_request_id}.{format}", "/tokens/{token}.{format}",
        "/servicerequestupdates.{format}"}
    for path in ("/requests.{format}", "/servicerequestupdates.{format}"):
        assert set(document["paths"][path]) == {"get", "post"}


@pytest.mark.ckan_config("ckanext.helpdesk.open311.enabled", "false")
def test_api_can_be_turned_off(app):
    response = app.test_client().get(f"{BASE}/services.json")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
