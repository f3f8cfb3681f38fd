"""With Redis down (a restart, a failover) the pages still answer: the
anonymous visitors' issue counts are only cached in Redis, and are counted
in PostgreSQL while Redis cannot be reached."""
import pytest
import requests

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.conftest import ckan_server

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_dataset_and_issue_pages_answer_anonymous_visitors_with_redis_down(
        portal):
    dataset = portal["dataset"]
    issue = factories.Issue(user=portal["reporter"], dataset_id=dataset["id"],
                            title="Stop missing")
    # A real CKAN server whose Redis is a closed port.
    with ckan_server(CKAN_REDIS_URL="redis://127.0.0.1:1/0") as url:
        pages = {path: requests.get(url + path, timeout=60) for path in (
            f"/dataset/{dataset['name']}",
            f"/dataset/{dataset['name']}/issues",
            f"/dataset/{dataset['name']}/issues/{issue['number']}")}

    for path, response in pages.items():
        assert response.status_code == 200, path
    assert 'helpdesk-open-count">1<' in pages[
        f"/dataset/{dataset['name']}"].text
