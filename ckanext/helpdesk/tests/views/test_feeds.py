"""Atom feeds of the issue lists."""
import xml.etree.ElementTree as ET

import pytest

from ckanext.helpdesk.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ATOM = "{http://www.w3.org/2005/Atom}"


def _entry_titles(response):
    assert response.headers["Content-Type"].startswith(
        "application/atom+xml")
    feed = ET.fromstring(response.data)
    return [entry.find(ATOM + "title").text
            for entry in feed.iter(ATOM + "entry")]


def test_dataset_feed_lists_its_issues_with_the_filters(visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Broken link")
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="How often?",
                    category="question")
    name = portal["dataset"]["name"]
    url = f"/dataset/{name}/issues.atom"

    assert sorted(_entry_titles(visitor.get(url))) == [
        f"{name}#1 Broken link", f"{name}#2 How often?"]
    assert _entry_titles(visitor.get(url + "?category=question")) == [
        f"{name}#2 How often?"]


def test_portal_feed_leaves_out_private_datasets_and_escapes_text(
        visitor, portal):
    private = factories.Dataset(owner_org=portal["org"]["id"], private=True)
    factories.Issue(user=portal["editor"], dataset_id=private["id"],
                    title="Secret")
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    title="<script>alert(1)</script>")

    response = visitor.get("/issues.atom")

    assert _entry_titles(response) == [
        f"{portal['dataset']['name']}#1 <script>alert(1)</script>"]
    assert b"<script>" not in response.data  # escaped as XML text


def test_list_pages_link_their_feed(visitor, portal):
    page = visitor.get(f"/dataset/{portal['dataset']['name']}/issues").body

    assert f"/dataset/{portal['dataset']['name']}/issues.atom" in page
