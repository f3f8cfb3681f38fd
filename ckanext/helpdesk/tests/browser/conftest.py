"""Fixtures of the browser tests: a second live server that lets
anonymous visitors report (the shared `live_server` runs test.ini, where
they may not), signing in through CKAN's login form, and the portal the
tests work on."""
import os
import pathlib

import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.conftest import ROOT, TEST_INI, ckan_server
from ckanext.helpdesk.tests.helpers import call_as

PASSWORD = "correct-horse-42"
# The tests keep their screenshots in .work/; HELPDESK_SCREENSHOTS=docs/
# screenshots refreshes the ones README.rst shows.
SCREENSHOTS = pathlib.Path(os.environ.get(
    "HELPDESK_SCREENSHOTS", ROOT / ".work" / "screenshots"))


@pytest.fixture(scope="session")
def anonymous_server(tmp_path_factory):
    """A live server whose portal lets anonymous visitors report."""
    ini = tmp_path_factory.mktemp("ini") / "anonymous.ini"
    logging = TEST_INI.read_text().split("[loggers]", 1)[1]
    ini.write_text(f"[app:main]\nuse = config:{TEST_INI}\n"
                   "ckanext.helpdesk.allow_anonymous = true\n\n"
                   f"[loggers]{logging}")  # `ckan run` configures logging
    with ckan_server(ini) as url:
        yield url


@pytest.fixture
def sign_in(page):
    """Sign in through CKAN's login form, as a person would."""
    def sign_in_as(base_url, user):
        page.goto(f"{base_url}/user/login")
        page.fill("#field-login", user["name"])
        page.fill("#field-password", PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_url(lambda url: "/user/login" not in url)
    return sign_in_as


@pytest.fixture
def portal():
    """An organization with an editor (the publisher) and a public
    dataset with one file; a registered visitor."""
    publisher = factories.User(password=PASSWORD, fullname="Pat Publisher")
    visitor = factories.User(password=PASSWORD, fullname="Vic Visitor")
    org = factories.Organization(title="City Transport", users=[
        {"name": publisher["name"], "capacity": "editor"}])
    dataset = factories.Dataset(
        owner_org=org["id"], title="Bus stops",
        notes="Every bus stop of the city, updated weekly.",
        resources=[{"url": "http://example.org/stops.csv",
                    "name": "stops.csv", "format": "CSV"}])
    return {"publisher": publisher, "visitor": visitor, "org": org,
            "dataset": dataset}


def page_width(page):
    """How wide the page's document is, in CSS pixels."""
    return page.evaluate("document.documentElement.scrollWidth")


def ckan_width(page, base_url):
    """How wide CKAN's own About page is on the page's screen: no help
    desk page may be wider. That is the screen's width on CKAN 2.10 and
    2.11; on 2.12 CKAN's own layout (its row.wrapper) is 6 px wider than a
    390 px phone, on every page, and not the help desk's to change."""
    page.goto(f"{base_url}/about")
    return page_width(page)


def screenshot(page, name):
    page.wait_for_load_state()  # the late stylesheets too
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# The two screens the help desk is tried on.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def every_page(portal):
    """(a sysadmin, who sees the fullest version of each, and the path of
    every help desk page): the dataset page, the lists, the forms, the
    confirmation, an issue and a data request, the queues and the
    operators' pages."""
    admin = factories.Sysadmin(password=PASSWORD)
    issue = factories.Issue(user=portal["visitor"],
                            dataset_id=portal["dataset"]["id"],
                            title="Stop 42 is missing",
                            description="It was there **last week**.")
    call_as(portal["publisher"], "helpdesk_comment_create",
            issue_id=issue["id"], body="Looking into it.")
    call_as(portal["visitor"], "helpdesk_abuse_report_create",
            issue_id=issue["id"], reason="Off topic")
    request = factories.Issue(user=portal["visitor"], category="data-request",
                              organization_id=portal["org"]["id"],
                              title="Tram stops, please",
                              description="As for the buses.")
    dataset, org = portal["dataset"]["name"], portal["org"]["name"]
    return admin, [
        f"/dataset/{dataset}",
        f"/dataset/{dataset}/issues",
        f"/dataset/{dataset}/issues/new",
        f"/dataset/{dataset}/issues/{issue['number']}",
        f"/helpdesk/issues/{issue['id']}/reported",
        f"/organization/{org}/issues",
        f"/organization/{org}/issues/request",
        f"/organization/{org}/requests/{request['number']}",
        "/issues",
        "/dashboard/issues",
        "/dashboard/helpdesk/reports",
        "/ckan-admin/helpdesk/reports",
        "/ckan-admin/helpdesk/notifications",
    ]
