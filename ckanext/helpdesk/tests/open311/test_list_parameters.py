"""Open311's comma-separated parameters do bounded work: repeated values
count once (one service_code repeated 800 times ran 800 searches), each
list is capped with a 400 naming the parameter, and several
service_request_ids are read in one search (not one show per id)."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.logic.test_query_budget import \
    counting_statements

pytestmark = pytest.mark.usefixtures("with_plugins")

# Whatever the request asks, a list answer costs this many statements at
# most (the search, the visibility rule's sub-selects, the categories).
STATEMENTS = 10


def test_a_service_code_repeated_800_times_is_searched_once(
        open311_client, desk):
    factories.Issue(user="reporter", dataset_id=desk["public"]["id"])

    with counting_statements() as statements:
        found = open311_client.get(
            "requests", service_code=",".join(["data-problem"] * 800))

    assert len(found) == 1
    assert len(statements) <= STATEMENTS


@pytest.mark.parametrize("name,values,maximum", [
    ("service_code", [f"code-{n}" for n in range(101)], 100),
    ("status", ["open"] * 50 + [f"s{n}" for n in range(101)], 100),
    ("service_request_id", [f"id-{n}" for n in range(1001)], 1000),
])
def test_a_list_parameter_past_its_cap_is_a_400_naming_it(
        open311_client, desk, name, values, maximum):
    errors = open311_client.get("requests", kind="errors", expect=400,
                                **{name: ",".join(values)})

    assert [error["description"] for error in errors] == [
        f"{name} takes at most {maximum} values"]


def test_a_thousand_service_request_ids_are_read_in_one_search(
        open311_client, desk):
    issues = [factories.Issue(user="reporter", dataset_id=desk["public"]["id"],
                              title=f"Report {n}") for n in range(3)]
    ids = [issue["id"] for issue in reversed(issues)]
    asked = ids + [f"00000000-0000-0000-0000-{n:012d}" for n in range(997)]

    with counting_statements() as statements:
        found = open311_client.get("requests",
                                   service_request_id=",".join(asked))

    assert [request["service_request_id"] for request in found] == ids
    assert len(statements) <= STATEMENTS


def test_a_service_request_id_that_cannot_be_an_id_is_a_400_naming_it(
        open311_client, desk):
    errors = open311_client.get("requests", kind="errors", expect=400,
                                service_request_id="x" * 101)

    assert errors[0]["description"].startswith("service_request_id: ")
