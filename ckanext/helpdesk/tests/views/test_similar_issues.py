"""Duplicates caught while typing: the report form lists the open issues
like the title being typed (the dataset's, or the organization's data
requests), only those the visitor may see; the dataset's form explains
its categories and offers no data request."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import field_error, \
    sign_in_came_from

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _similar(visitor, portal, title):
    return visitor.get(f"/dataset/{portal['dataset']['name']}"
                       "/issues/similar", query_string={"title": title})


def test_open_issues_sharing_a_word_of_the_title_are_suggested(
        visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    title="Stop 42 is missing")
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    title="Timetable columns swapped")
    closed = factories.Issue(user=portal["reporter"],
                             dataset_id=portal["dataset"]["id"],
                             title="Stops file is empty")
    call_as(portal["editor"], "helpdesk_issue_update", id=closed["id"],
            status="resolved")
    other = call_as(portal["editor"], "package_create", name="other-stops",
                    owner_org=portal["org"]["id"])
    factories.Issue(user=portal["reporter"], dataset_id=other["id"],
                    title="Missing stops elsewhere")
    visitor.sign_in(portal["reporter"])

    response = _similar(visitor, portal, "bus stops missing?")

    assert response.status_code == 200
    assert "Stop 42 is missing" in response.body
    assert "+1 this instead" in response.body
    for absent in ("Timetable", "Stops file is empty", "elsewhere"):
        assert absent not in response.body


def test_nothing_is_suggested_for_a_title_without_words_or_matches(
        visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    title="Stop 42 is missing")

    for title in ("", "?! -", "\x00", "zebra crossings"):
        response = _similar(visitor, portal, title)
        assert response.status_code == 200
        assert "helpdesk-similar" not in response.body


def test_hidden_issues_are_not_suggested_and_visitors_sign_in_to_plus_one(
        visitor, portal):
    dataset_id = portal["dataset"]["id"]
    factories.Issue(user=portal["reporter"], dataset_id=dataset_id,
                    title="Stop 42 is missing")
    hidden = factories.Issue(user=portal["reporter"], dataset_id=dataset_id,
                             title="Stop 43 is missing too")
    call_as(portal["editor"], "helpdesk_issue_hide", id=hidden["id"],
            hidden=True)

    body = _similar(visitor, portal, "stop missing").body

    assert "Stop 42 is missing" in body
    assert "Stop 43" not in body
    assert "Sign in to +1" in body
    assert sign_in_came_from(body).startswith(
        f"/dataset/{portal['dataset']['name']}/issues/")


def test_data_request_form_suggests_the_organizations_open_requests(
        visitor, portal):
    factories.Issue(user=portal["reporter"], category="data-request",
                    organization_id=portal["org"]["id"],
                    title="Tram stops, please")
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Tram stops")

    body = visitor.get(f"/organization/{portal['org']['name']}"
                       "/issues/similar", query_string={"title": "tram"}).body

    assert body.count("Tram stops") == 1
    assert "Tram stops, please" in body


def test_dataset_form_explains_categories_and_refuses_a_data_request(
        visitor, portal):
    visitor.sign_in(portal["reporter"])
    url = f"/dataset/{portal['dataset']['name']}/issues/new"

    form = visitor.get(url).body
    refused = visitor.post(url, {"category": "data-request",
                                 "title": "Trams", "description": "Please"})

    assert "Something in the data is wrong" in form
    assert 'value="data-request"' not in form
    assert "/issues/similar" in form
    assert field_error(refused.body, "field-category")
    assert "Trams" in refused.body
    listing = visitor.get(f"/dataset/{portal['dataset']['name']}/issues")
    assert "Trams" not in listing.body
