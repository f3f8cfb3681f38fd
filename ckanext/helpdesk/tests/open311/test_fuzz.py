"""Property-based runs over the whole Open311 API.

Schemathesis generates requests from the API's own OpenAPI document (both
valid and invalid values of every path, query and form parameter, every
operation) and sends them through CKAN's WSGI app, anonymously and with a
reporter's API token. Whatever it sends: no 5xx, every answer in the format
of its path, every error in the spec's error body with the HTTP status as
its code, and never the catch-all "general service error" (which would mean
an unexpected exception). Hypothesis then files reports with arbitrary text
and reads them back in XML, the format most sensitive to odd characters.
"""
import collections
import json
import os

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from ckanext.helpdesk.open311 import views
from ckanext.helpdesk.tests.open311.conftest import BASE, check_answer

# Examples per operation and mode; the OPEN311_FUZZ_EXAMPLES environment
# variable overrides it for longer runs.
MAX_EXAMPLES = 30
KIND_OF_OPERATION = {
    ("GET", "/discovery.{format}"): "discovery",
    ("GET", "/services.{format}"): "services",
    ("GET", "/services/{service_code}.{format}"): "service_definition",
    ("GET", "/requests.{format}"): "service_requests",
    ("POST", "/requests.{format}"): "created_requests",
    ("GET", "/requests/{service_request_id}.{format}"): "service_requests",
    ("GET", "/tokens/{token}.{format}"): "token_requests",
}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# The only reasons to refuse a report's text: XML cannot carry a control
# character (the Open311 layer), a single-line field may not hold one (the
# schema), or nothing is left to describe the report.
REFUSED_TEXT = ("contains control characters",
                "Must not contain control characters",
                "description is required")
# (operation, HTTP status) -> answers, printed after the module's tests.
TALLY = collections.Counter()

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture(scope="module", autouse=True)
def tally():
    yield TALLY
    if TALLY:
        print("\nOpen311 fuzz answers (operation, status: count):")
        for (operation, status), count in sorted(TALLY.items()):
            print(f"  {operation} {status}: {count}")
        print(f"  total: {sum(TALLY.values())}")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE,
                                  GenerationMode.NEGATIVE])
@pytest.mark.parametrize("method, path", list(KIND_OF_OPERATION))
def test_any_request_gets_a_spec_answer_and_never_a_5xx(
        app, desk, method, path, mode):
    """Each operation on its own (CKAN's pytest plugins do not mix with
    schemathesis' subtests), anonymously and with a reporter's token."""
    # Not schemathesis' from_wsgi, which needs a newer Werkzeug than
    # CKAN 2.10's to read the document.
    schema = schemathesis.openapi.from_dict(
        app.get(f"{BASE}/openapi.json").json)
    schema.app = app.app
    operation = schema[path][method]
    examples = int(os.environ.get("OPEN311_FUZZ_EXAMPLES", MAX_EXAMPLES))

    @hypothesis.settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def any_case(case):
        # A "?" in a path parameter makes the client build a different URL.
        hypothesis.assume(not any("?" in str(value) for value
                                  in case.path_parameters.values()))
        for headers in ({}, {"Authorization": desk["tokens"]["reporter"]}):
            response = case.call(headers=headers)
            TALLY[f"{case.method} {case.path}", response.status_code] += 1
            case.validate_response(response, checks=CHECKS)
            check_in_format_of_path(case, response)

    any_case()


def check_in_format_of_path(case, response):
    fmt = case.path_parameters.get("format")
    fmt = fmt if fmt in ("json", "xml") else "xml"
    kind = KIND_OF_OPERATION[case.method, case.path]
    status = response.status_code
    answer = check_answer(_Flaskish(response), fmt,
                          "errors" if status >= 400 else kind)
    if status >= 400:
        assert {str(error["code"]) for error in answer} == {str(status)}
        assert views.GENERAL_ERROR not in {e["description"] for e in answer}


class _Flaskish:
    """A schemathesis response read as check_answer reads Flask's."""

    def __init__(self, response):
        self.headers = {"Content-Type": response.headers["content-type"][0]}
        self.content = response.content

    def get_data(self, as_text=False):
        return self.content.decode("utf-8") if as_text else self.content


@hypothesis.settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture,
                           hypothesis.HealthCheck.too_slow])
@hypothesis.given(description=st.text(min_size=1, max_size=300),
                  title=st.text(max_size=60))
def test_reports_with_any_text_read_back_in_both_formats(
        open311_client, desk, description, title):
    response = open311_client.client.post(f"{BASE}/requests.json", data={
        "api_key": desk["tokens"]["reporter"], "service_code": "question",
        "attribute[dataset]": "buses", "attribute[title]": title,
        "description": description})
    answer = json.loads(response.get_data(as_text=True))
    assert response.status_code in (200, 400), answer
    if response.status_code == 400:
        check_answer(response, "json", "errors")
        assert answer[0]["description"].endswith(REFUSED_TEXT)
        return
    request_id = answer[0]["service_request_id"]
    [request] = open311_client.both(f"requests/{request_id}",
                                    extensions="true")
    assert request["service_request_id"] == request_id
