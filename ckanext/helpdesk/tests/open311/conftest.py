"""The Open311 tests' client: every answer is checked against the JSON
Schema or the XSD written from the GeoReport v2 spec, and the XML and JSON
of one call must carry the same data."""
import json
import pathlib
import urllib.parse

import jsonschema
import pytest
from lxml import etree

import ckan.tests.factories as factories

from ckanext.helpdesk import open311

BASE = "/open311/v2"
SCHEMA_DIR = pathlib.Path(open311.__file__).parent
JSON_SCHEMA = json.loads((SCHEMA_DIR / "georeport_v2.schema.json").read_text())
CONTENT_TYPES = {"json": "application/json; charset=utf-8",
                 "xml": "text/xml; charset=utf-8"}
# The XML root element, the XSD and the JSON Schema definition of each
# kind of answer.
KINDS = {
    "discovery": ("discovery", "georeport_v2.xsd", "discovery"),
    "services": ("services", "georeport_v2.xsd", "services"),
    "service_definition": ("service_definition", "georeport_v2.xsd",
                           "service_definition"),
    "service_requests": ("service_requests", "georeport_v2.xsd",
                         "service_requests"),
    "created_requests": ("service_requests", "georeport_v2_created.xsd",
                         "created_requests"),
    "token_requests": ("service_requests", "georeport_v2_token.xsd",
                       "token_requests"),
    "errors": ("errors", "georeport_v2.xsd", "errors"),
    # FixMyStreet's service request updates extension.
    "request_updates": ("service_request_updates", "fms_updates.xsd",
                        "request_updates"),
    "created_updates": ("service_request_updates",
                        "fms_updates_created.xsd", "created_updates"),
}
ARRAY_ITEMS = {"services": "service", "service_requests": "request",
               "service_request_updates": "request_update",
               "errors": "error", "attributes": "attribute",
               "values": "value", "endpoints": "endpoint",
               "formats": "format"}


def json_validator(definition):
    schema = {"$ref": f"#/$defs/{definition}", "$defs": JSON_SCHEMA["$defs"]}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker())


def xml_schema(name):
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


def check_answer(response, fmt, kind):
    """Assert `response` is a conforming `kind` answer in `fmt`; its data
    (XML read back by the Spark convention)."""
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    root, xsd, definition = KINDS[kind]
    if fmt == "json":
        data = json.loads(response.get_data(as_text=True))
        json_validator(definition).validate(data)
        return data
    raw = response.get_data()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    document = etree.fromstring(raw)
    assert document.tag == root
    xml_schema(xsd).assertValid(document)
    return xml_data(document)


def xml_data(element):
    """An element as JSON-like data: arrays for the spec's containers,
    objects for records, text (or None when empty) for leaves."""
    if element.tag in ARRAY_ITEMS:
        return [xml_data(child) for child in element]
    if len(element):
        return {child.tag: xml_data(child) for child in element}
    return element.text


def as_text(data):
    """JSON data with every leaf as XML carries it, to compare the two."""
    if isinstance(data, dict):
        return {key: as_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_text(value) for value in data]
    if isinstance(data, bool):
        return "true" if data else "false"
    if data is None or data == "":
        return None
    return str(data)


class Open311Client:
    """Calls the API in one format and checks what it answers."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path, fmt="json", kind="service_requests", expect=200,
            headers=None, **params):
        response = self.client.get(self.url(path, fmt, params),
                                   headers=headers or {})
        return self._checked(response, fmt, kind, expect)

    def post(self, fmt="json", expect=200, headers=None, path="requests",
             kind="created_requests", **form):
        response = self.client.post(self.url(path, fmt, {}),
                                    data=form, headers=headers or {})
        return self._checked(response, fmt, kind, expect)

    def both(self, path, kind="service_requests", **params):
        """The JSON answer, after checking the XML one carries the same."""
        data = self.get(path, "json", kind, **params)
        assert self.get(path, "xml", kind, **params) == as_text(data)
        return data

    @staticmethod
    def url(path, fmt, params):
        query = urllib.parse.urlencode(params)
        return f"{BASE}/{path}.{fmt}" + (f"?{query}" if query else "")

    @staticmethod
    def _checked(response, fmt, kind, status):
        assert response.status_code == status, response.get_data(as_text=True)
        return check_answer(response, fmt, "errors" if status >= 400
                            else kind)


@pytest.fixture
def open311_client(app):
    return Open311Client(app)


@pytest.fixture
def desk(clean_db):
    """An organization with an editor, a public dataset with a resource, a
    private dataset, a reporter with an API token and an outsider."""
    editor = factories.User(name="editor")
    reporter = factories.User(name="reporter")
    outsider = factories.User(name="outsider")
    org = factories.Organization(
        name="city", title="City Data Office",
        users=[{"name": editor["name"], "capacity": "editor"}])
    public = factories.Dataset(name="buses", title="Bus stops",
                               owner_org=org["id"])
    resource = factories.Resource(package_id=public["id"], name="stops.csv")
    private = factories.Dataset(name="secret-plans", owner_org=org["id"],
                                private=True)
    return {
        "org": org, "public": public, "resource": resource,
        "private": private, "editor": editor, "reporter": reporter,
        "outsider": outsider,
        "tokens": {user["name"]: factories.APIToken(user=user["name"])[
            "token"] for user in (editor, reporter, outsider)},
    }
