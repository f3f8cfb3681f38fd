"""What the page tests share: a visitor with cookies who signs in through
CKAN's login form and posts forms with the page's CSRF token, and a small
portal (an organization with an editor, a public dataset)."""
import html
import re
import urllib.parse

import pytest

from ckan.tests import factories

PASSWORD = "correct-horse-42"
CSRF_META = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


class Visitor:
    """A browser-like client: keeps its session cookie, takes the CSRF
    token from the pages it reads, as a real form would."""

    def __init__(self, app):
        self.client = app.test_client()
        self._token = None

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def csrf_token(self):
        if self._token is None:
            page = self.client.get("/about").body
            self._token = CSRF_META.search(page).group(1)
        return self._token

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data["_csrf_token"] = self.csrf_token()
        return self.client.post(url, data=data, **kwargs)

    def sign_in(self, user):
        response = self.post("/user/login", {"login": user["name"],
                                             "password": PASSWORD})
        assert "/user/_logout" in response.body, "sign in failed"
        self._token = None  # CKAN rotates the token at sign in
        return self


@pytest.fixture
def visitor(app):
    """An anonymous visitor; `.sign_in(user)` makes them a user."""
    return Visitor(app)


@pytest.fixture
def make_visitor(app):
    return lambda: Visitor(app)


def make_user(**kwargs):
    return factories.User(password=PASSWORD, **kwargs)


@pytest.fixture
def portal():
    """An organization with an editor, a member who reports, and a
    public dataset with one resource."""
    editor, reporter = make_user(), make_user()
    org = factories.Organization(users=[
        {"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"],
                                resources=[{"url": "http://x.test/a.csv",
                                            "name": "a.csv"}])
    return {"editor": editor, "reporter": reporter, "org": org,
            "dataset": dataset}


def issue_url(issue):
    return f"/dataset/{issue['dataset_name']}/issues/{issue['number']}"


def sign_in_came_from(page):
    """Where the page's first sign-in link brings the visitor back to
    (werkzeug 2.0, on CKAN 2.10, quotes its slashes; later ones do not)."""
    link = re.search(r'href="([^"]*/user/login\?[^"]*)"', page).group(1)
    query = urllib.parse.urlsplit(html.unescape(link)).query
    return urllib.parse.parse_qs(query)["came_from"][0]


def field_error(page, field_id):
    """The error CKAN's form macros print beside a field, or None."""
    start = page.index(f'for="{field_id}"')
    end = page.find('class="form-group', start)
    group = page[start:end if end != -1 else len(page)]
    found = re.search(r'<span class="error-block">(.*?)</span>', group, re.S)
    return found and found.group(1)
