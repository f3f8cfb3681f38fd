"""Feeds as a feed reader uses them: found from the list pages' <head>,
entries titled with their dataset, summaries as sanitised HTML."""
import re
import xml.etree.ElementTree as ET

import pytest

from ckanext.helpdesk.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ATOM = "{http://www.w3.org/2005/Atom}"


def _head_feeds(page):
    """(href, title) of the <head>'s Atom alternates; title "" where a
    link has none (CKAN 2.12's own feed of an organization's datasets)."""
    head = page[:page.index("</head>")]
    return [(re.search(r'href="([^"]+)"', link).group(1).replace("&amp;",
                                                                   "&"),
             re.search(r'title="([^"]*)"|$', link).group(1) or "")
            for link in re.findall(r"<link[^>]*>", head)
            if 'rel="alternate"' in link
            and 'type="application/atom+xml"' in link]


def test_each_list_page_names_its_feed_in_the_head(visitor, portal):
    dataset, org = portal["dataset"], portal["org"]

    pages = {
        f"/dataset/{dataset['name']}/issues?category=question":
            (f"/dataset/{dataset['name']}/issues.atom?category=question",
             f"Issues of {dataset['title']}"),
        f"/organization/{org['name']}/issues":
            (f"/organization/{org['name']}/issues.atom",
             f"Issues of {org['title']}"),
        "/issues": ("/issues.atom", "Issues of "),
    }
    for page_url, (feed_url, title) in pages.items():
        # Organization pages also name CKAN's feed of their datasets.
        [(href, link_title)] = [
            (href, link_title) for href, link_title
            in _head_feeds(visitor.get(page_url).body)
            if "/issues.atom" in href]
        assert href.endswith(feed_url), (page_url, href)
        assert link_title.startswith(title)
        assert visitor.get(href).headers["Content-Type"].startswith(
            "application/atom+xml")


def test_the_organization_feed_lists_only_its_visible_issues(visitor,
                                                              portal):
    other = factories.Dataset(owner_org=factories.Organization()["id"])
    private = factories.Dataset(owner_org=portal["org"]["id"], private=True)
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Ours")
    factories.Issue(user=portal["reporter"], dataset_id=other["id"],
                    title="Theirs")
    factories.Issue(user=portal["editor"], dataset_id=private["id"],
                    title="Secret")

    feed = ET.fromstring(visitor.get(
        f"/organization/{portal['org']['name']}/issues.atom").data)

    assert [entry.find(ATOM + "title").text
            for entry in feed.iter(ATOM + "entry")] == [
        f"{portal['dataset']['name']}#1 Ours"]


def test_entries_name_their_dataset_or_organization(visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"], title="Off by one")
    factories.Issue(user=portal["reporter"], title="Timetables please",
                    category="data-request",
                    organization_id=portal["org"]["id"])

    feed = ET.fromstring(visitor.get("/issues.atom").data)

    assert sorted(entry.find(ATOM + "title").text
                  for entry in feed.iter(ATOM + "entry")) == [
        f"{portal['dataset']['name']}#1 Off by one",
        f"{portal['org']['name']}#1 Timetables please"]


def test_summaries_are_the_description_rendered_as_sanitised_html(
        visitor, portal):
    factories.Issue(user=portal["reporter"],
                    dataset_id=portal["dataset"]["id"],
                    description="Row **12** is wrong <script>alert(1)</script>"
                    "\n\n[see](javascript:alert(2))")

    feed = ET.fromstring(visitor.get(
        f"/dataset/{portal['dataset']['name']}/issues.atom").data)

    [summary] = [entry.find(ATOM + "summary")
                 for entry in feed.iter(ATOM + "entry")]
    assert summary.get("type") == "html"
    html = summary.text  # the HTML, once the XML is read
    assert "<p><strong>New</strong></p>" in html
    assert "Row <strong>12</strong> is wrong" in html
    assert "<script>" not in html  # shown as text: &lt;script&gt;
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
