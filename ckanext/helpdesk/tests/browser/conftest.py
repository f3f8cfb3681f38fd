"""Fixtures of the browser tests: a second live server that lets
anonymous visitors report (the shared `live_server` runs test.ini, where
they may not), signing in through CKAN's login form, and the portal the
tests work on."""
import os
import pathlib

import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.conftest import ROOT, TEST_INI, ckan_server

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


def screenshot(page, name):
    page.wait_for_load_state()  # the late stylesheets too
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
