"""Control characters: a NUL made issue creation answer 500 (PostgreSQL
refuses it in text), another control character in one title made both
Atom feeds answer 500 (XML cannot carry it). New text refuses them, naming
the field; the feeds carry texts stored before that."""
import pytest
from lxml import etree

import ckan.model as model

from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.views.conftest import field_error

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.parametrize("field", ["title", "description"])
def test_creating_an_issue_with_a_nul_is_refused_naming_the_field(
        app, portal, field):
    token = factories.APIToken(user=portal["reporter"]["name"])["token"]
    data = {"dataset_id": portal["dataset"]["id"], "category": "question",
            "title": "Nul", "description": "text"}
    data[field] += "\u0000 inside"

    answer = app.post("/api/3/action/helpdesk_issue_create", json=data,
                      headers={"Authorization": token}, status=409).json

    assert answer["error"][field] == ["Must not contain control characters"]


def test_the_report_form_shows_the_control_character_error_beside_the_title(
        visitor, portal):
    visitor.sign_in(portal["reporter"])

    page = visitor.post(f"/dataset/{portal['dataset']['name']}/issues/new", {
        "category": "question", "title": "Bell \x07 here",
        "description": "Nul \x00 here"}).body

    assert "control characters" in field_error(page, "field-title")
    assert "control characters" in field_error(page, "field-description")
    assert "Bell" in page  # what was typed is kept


@pytest.fixture
def stored_before(portal):
    """An issue whose title, description and reporter name carry control
    characters, as stored before they were refused."""
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    model.Session.query(Issue).filter(Issue.id == issue["id"]).update({
        "title": "Escape \x1b[31m red", "description": "Form\x0cfeed",
        "reporter_name": "Bell\x07"})
    model.Session.commit()
    return portal


@pytest.mark.parametrize("url", ["/issues.atom",
                                 "/dataset/{dataset}/issues.atom"])
def test_feeds_carry_issues_stored_with_control_characters(
        visitor, stored_before, url):
    response = visitor.get(url.format(
        dataset=stored_before["dataset"]["name"]))

    assert response.status_code == 200
    feed = etree.fromstring(response.get_data())
    titles = [title.text for title in feed.iter(
        "{http://www.w3.org/2005/Atom}title")]
    assert f"{stored_before['dataset']['name']}#1 Escape \ufffd[31m red" \
        in titles
