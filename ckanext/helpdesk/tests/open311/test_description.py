"""GeoReport's description is optional, the help desk's is not: a request
filed with a title alone is accepted and described by its title."""
import pytest

from ckanext.helpdesk.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_an_open311_request_with_a_title_alone_is_described_by_its_title(
        open311_client, desk):
    [created] = open311_client.post(
        api_key=desk["tokens"]["reporter"], service_code="data-problem",
        **{"attribute[dataset]": "buses",
           "attribute[title]": "Stop 7 is misnamed"})

    issue = call_as(None, "helpdesk_issue_show",
                    id=created["service_request_id"])
    assert issue["title"] == issue["description"] == "Stop 7 is misnamed"
    [shown] = open311_client.both(
        f"requests/{created['service_request_id']}")
    assert shown["description"] == "Stop 7 is misnamed"
