"""Answers chosen by who asks never land in a shared cache: help desk
pages, feeds, redirects and the help desk's actions answer a caller with a
session or an API token ``Cache-Control: private``, and every help desk
answer varies on Cookie and Authorization."""
import pytest

from ckanext.helpdesk.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

API_SEARCH = "/api/3/action/helpdesk_issue_search"


def assert_private(response):
    assert response.cache_control.private
    assert not response.cache_control.public
    assert {"Cookie", "Authorization"} <= set(response.vary)


@pytest.fixture
def issue(portal):
    return factories.Issue(user=portal["reporter"],
                           dataset_id=portal["dataset"]["id"])


@pytest.mark.parametrize("url", [
    "/issues.atom", "/dataset/{dataset}/issues.atom", "/issues",
    "/dataset/{dataset}/issues", "/helpdesk/issues/{issue}",
])
def test_help_desk_answers_to_a_signed_in_user_are_private(
        visitor, portal, issue, url):
    visitor.sign_in(portal["editor"])
    response = visitor.get(url.format(dataset=portal["dataset"]["name"],
                                      issue=issue["id"]),
                           follow_redirects=False)

    assert response.status_code in (200, 302)
    assert_private(response)


def test_redirect_after_a_form_post_is_private(visitor, portal, issue):
    visitor.sign_in(portal["editor"])
    response = visitor.post(f"/helpdesk/issues/{issue['id']}/vote",
                            {"vote": "1"}, follow_redirects=False)

    assert response.status_code == 302
    assert_private(response)


@pytest.mark.parametrize("url", [
    "/issues.atom", "/dataset/{dataset}/issues.atom", API_SEARCH,
])
def test_answers_to_an_api_token_are_private(app, portal, issue, url):
    token = factories.APIToken(user=portal["editor"]["name"])["token"]
    response = app.test_client().get(
        url.format(dataset=portal["dataset"]["name"]),
        headers={"Authorization": token})

    assert response.status_code == 200
    assert_private(response)


@pytest.mark.parametrize("url", [
    "/issues.atom", "/dataset/{dataset}/issues.atom", API_SEARCH,
])
def test_anonymous_answers_stay_cacheable_but_vary_on_credentials(
        app, portal, issue, url):
    response = app.test_client().get(
        url.format(dataset=portal["dataset"]["name"]))

    assert response.status_code == 200
    assert response.cache_control.public
    assert {"Cookie", "Authorization"} <= set(response.vary)


def test_core_actions_keep_ckan_s_own_headers(app, portal):
    """Only the help desk's answers are changed."""
    token = factories.APIToken(user=portal["editor"]["name"])["token"]
    response = app.test_client().get("/api/3/action/status_show",
                                     headers={"Authorization": token})

    assert "Authorization" not in set(response.vary)


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_an_anonymous_form_too_large_to_read_is_refused_not_a_500(
        app, visitor, portal):
    """The caching hook looks for a posted api_key after the view; a form
    over werkzeug's limit must not make that look fail. Flask 3.1 (CKAN
    2.11, 2.12) refuses forms over MAX_FORM_MEMORY_SIZE (500 KB) with 413;
    Flask 2.0 (CKAN 2.10) has no such limit and reads the form."""
    limit = app.flask_app.config.get("MAX_FORM_MEMORY_SIZE")
    fields = {f"field{n}": "m" * 20_000 for n in range(36)}  # 720 KB

    response = visitor.post("/helpdesk/preview", fields)

    assert response.status_code == (413 if limit else 200)
    assert {"Cookie", "Authorization"} <= set(response.vary)
