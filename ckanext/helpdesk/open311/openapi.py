"""The OpenAPI 3.1 document of the Open311 API, served beside it.

Its JSON bodies are the definitions of georeport_v2.schema.json (the same
file the conformance tests validate against), so the two cannot drift.
"""
import functools
import json
import pathlib

SCHEMA_FILE = pathlib.Path(__file__).with_name("georeport_v2.schema.json")
FORMATS = ["json", "xml"]
ERROR_STATUSES = {
    "400": "Bad or missing parameter, unknown format, or a general error",
    "403": "Missing or invalid api_key, or not allowed",
    "404": "Unknown service, request, token, jurisdiction or path",
    "405": "Method not allowed on this path",
}


@functools.lru_cache(maxsize=1)
def json_schema():
    return json.loads(SCHEMA_FILE.read_text())


def document(base_url):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Help desk Open311 GeoReport v2 API",
            "version": "2",
            "description": (
                "Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) "
                "over the CKAN help desk: categories are services, issues "
                "are service requests. Every path answers .json and .xml; "
                "errors come in the spec's error body."),
        },
        "servers": [{"url": base_url}],
        "components": {
            "schemas": _components(),
            "securitySchemes": {"ckan_api_token": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A CKAN API token (or, on a POST, the "
                               "api_key field of the body; never in the "
                               "URL)."}},
        },
        "paths": _paths(),
    }


def _components():
    """The JSON Schema $defs, with their references pointed at
    components/schemas."""
    text = json.dumps(json_schema()["$defs"])
    return json.loads(text.replace('"#/$defs/', '"#/components/schemas/'))


def _paths():
    return {
        "/discovery.{format}": {"get": _get(
            "Service discovery", "discovery")},
        "/services.{format}": {"get": _get(
            "The services (help desk categories)", "services")},
        "/services/{service_code}.{format}": {"get": _get(
            "A service's definition: the attributes a report gives",
            "service_definition", [_path_param("service_code")])},
        "/requests.{format}": {
            "get": _get("Service requests (issues), newest first",
                        "service_requests", _LIST_PARAMS),
            "post": _post(),
        },
        "/requests/{service_request_id}.{format}": {"get": _get(
            "One service request (an array of one)", "service_requests",
            [_path_param("service_request_id"), _query("extensions")])},
        "/tokens/{token}.{format}": {"get": _get(
            "The service_request_id of a token (empty while the report "
            "waits for moderation)", "token_requests",
            [_path_param("token")])},
        "/servicerequestupdates.{format}": {
            "get": _get("FixMyStreet's extension: the public updates "
                        "(replies, status changes), oldest first",
                        "request_updates", _UPDATE_PARAMS),
            "post": _post_update(),
        },
    }


def _path_param(name):
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "minLength": 1}}


def _query(name, description=None, **schema):
    parameter = {"name": name, "in": "query", "required": False,
                 "schema": {"type": "string", **schema}}
    if description:
        parameter["description"] = description
    return parameter


_FORMAT_PARAM = {"name": "format", "in": "path", "required": True,
                 "schema": {"enum": FORMATS}}
_JURISDICTION = _query("jurisdiction_id",
                       "Optional; when given, the configured one")
_LIST_PARAMS = [
    _query("service_request_id", "Comma-separated ids; overrides the "
                                 "other filters"),
    _query("service_code", "Comma-separated service codes"),
    _query("start_date", "W3C date-time with offset", format="date-time"),
    _query("end_date", "W3C date-time with offset (at most 90 days after "
                       "start_date)", format="date-time"),
    _query("status", "open, closed, or both comma-separated"),
    _query("page", "Paging extension: page number, 1 to 1000000",
           pattern="^[0-9]+$"),
    _query("page_size", "Paging extension: 1 to 1000 (default 1000)",
           pattern="^[0-9]+$"),
    _query("extensions", "true adds extended_attributes",
           enum=["true", "false"]),
]


_UPDATE_PARAMS = [
    _query("start_date", "W3C date-time with offset", format="date-time"),
    _query("end_date", "W3C date-time with offset (at most 90 days after "
                       "start_date)", format="date-time"),
    _query("page", "Page number, 1 to 1000000", pattern="^[0-9]+$"),
    _query("page_size", "1 to 1000 (default 1000)", pattern="^[0-9]+$"),
]


def _get(summary, schema_name, parameters=()):
    return {
        "summary": summary,
        "parameters": [_FORMAT_PARAM, _JURISDICTION, *parameters],
        "responses": {"200": _body("OK", schema_name), **_errors()},
    }


def _post():
    fields = ["api_key", "jurisdiction_id", "service_code", "lat", "long",
              "address_string", "address_id", "email", "device_id",
              "account_id", "first_name", "last_name", "phone",
              "description", "media_url", "attribute[dataset]",
              "attribute[resource]", "attribute[organization]",
              "attribute[title]", "attribute[origin]",
              "attribute[origin_key]"]
    return {
        "summary": "Report an issue (a service request)",
        "parameters": [_FORMAT_PARAM],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object",
                "required": ["service_code"],
                "properties": {field: {"type": "string"}
                               for field in fields},
            }}}},
        "security": [{}, {"ckan_api_token": []}],
        "responses": {"200": _body("Created: an array of one",
                                   "created_requests"), **_errors()},
    }


def _post_update():
    required = ["service_request_id", "update_id", "status", "description",
                "updated_datetime"]
    fields = required + ["api_key", "jurisdiction_id", "first_name",
                         "last_name", "email", "phone", "media_url",
                         "service_code"]
    return {
        "summary": "FixMyStreet's extension: post an update, a public "
                   "reply (and status change), once per update_id",
        "parameters": [_FORMAT_PARAM],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": required,
                "properties": {field: {"type": "string"}
                               for field in fields},
            }}}},
        "security": [{"ckan_api_token": []}],
        "responses": {"200": _body("The update's id: an array of one",
                                   "created_updates"), **_errors()},
    }


def _body(description, schema_name):
    return {"description": description, "content": {
        "application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema_name}"}},
        "text/xml": {"schema": {"type": "string"}},
    }}


def _errors():
    return {status: _body(description, "errors")
            for status, description in ERROR_STATUSES.items()}
