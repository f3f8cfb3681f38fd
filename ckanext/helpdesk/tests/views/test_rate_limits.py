"""Rate limits of every public write, counted in the real Redis: over the
limit the pages, the Action API and Open311 answer 429 with Retry-After,
the forms keep what was typed, X-Forwarded-For counts only behind a
trusted proxy, and writes go on when Redis is down."""
import pathlib

import pytest
import requests

import ckan.model as model

from ckanext.helpdesk.model import Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.conftest import TEST_INI, ckan_server
from ckanext.helpdesk.tests.open311.conftest import check_answer

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db",
                                     "clean_redis")

REPORT = {"category": "data-problem", "title": "Totals do not add up",
          "description": "Row 12 of the 2021 file counts twice."}
ANONYMOUS = {"reporter_name": "Ada", "reporter_email": "ada@example.org"}
LIMIT = "ckanext.helpdesk.rate_limit."
# CKAN's test client sends no client address; a server always has one.
CLIENT = {"REMOTE_ADDR": "192.0.2.7"}


def _issues():
    return model.Session.query(Issue).count()


def _retry_after(response):
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 3601
    return seconds


def _api_report(app, dataset, token=None, status=200, headers=None,
                **fields):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = token
    return app.post("/api/3/action/helpdesk_issue_create",
                    json=dict(REPORT, dataset_id=dataset["id"], **fields),
                    headers=headers, status=status, extra_environ=CLIENT)


@pytest.mark.ckan_config(LIMIT + "reports", "3/hour")
def test_action_api_report_over_the_limit_is_429_with_retry_after_and_sends_no_email(  # noqa: E501
        app, portal, mail, run_jobs):
    token = factories.APIToken(user=portal["reporter"]["name"])["token"]
    for number in range(1, 4):
        _api_report(app, portal["dataset"], token, title=f"Report {number}")

    refused = _api_report(app, portal["dataset"], token, status=429,
                          title="Report 4")

    _retry_after(refused)
    assert refused.json["success"] is False
    assert "Too many requests" in refused.json["error"]["rate_limit"][0]
    assert _issues() == 3
    run_jobs()
    subjects = [message["Subject"] for _, message in mail.wait_for(3)]
    assert any("Report 3" in subject for subject in subjects)
    assert not any("Report 4" in subject for subject in subjects)


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.ckan_config(LIMIT + "reports", "2/hour")
def test_anonymous_report_form_over_the_limit_is_429_and_keeps_the_typed_text(  # noqa: E501
        make_visitor, portal):
    url = f"/dataset/{portal['dataset']['name']}/issues/new"
    for _ in range(2):  # two visitors (cookies), one address
        sent = make_visitor().post(url, dict(REPORT, **ANONYMOUS),
                                   extra_environ=CLIENT)
        assert "your report was sent" in sent.body

    refused = make_visitor().post(url, dict(
        REPORT, **ANONYMOUS, description="Typed with care, not lost."),
        extra_environ=CLIENT)

    assert refused.status_code == 429
    _retry_after(refused)
    assert "Too many requests: please try again in" in refused.body
    assert "Typed with care, not lost." in refused.body
    assert 'value="Ada"' in refused.body
    assert _issues() == 2


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.ckan_config(LIMIT + "reports", "1/hour")
def test_open311_report_over_the_limit_is_429_in_the_spec_error_shape(
        app, portal):
    form = {"service_code": "data-problem",
            "attribute[dataset]": portal["dataset"]["name"],
            "description": "Stop 7 has the wrong name.", "first_name": "Ada",
            "email": "ada@example.org"}
    def send(fmt):
        return app.post(f"/open311/v2/requests.{fmt}", data=form,
                        extra_environ=CLIENT)

    check_answer(send("json"), "json", "created_requests")
    for fmt in ("json", "xml"):
        response = send(fmt)
        assert response.status_code == 429
        _retry_after(response)
        [error] = check_answer(response, fmt, "errors")
        assert str(error["code"]) == "429"
        assert "Too many requests" in error["description"]
    assert _issues() == 1


@pytest.mark.ckan_config(LIMIT + "comments", "1/hour")
@pytest.mark.ckan_config(LIMIT + "votes", "1/hour")
@pytest.mark.ckan_config(LIMIT + "subscriptions", "1/hour")
@pytest.mark.ckan_config(LIMIT + "abuse_reports", "1/hour")
@pytest.mark.ckan_config(LIMIT + "previews", "1/hour")
@pytest.mark.parametrize("path, form", [
    ("comment", {"body": "A comment typed with care"}),
    ("vote", {"vote": "1"}),
    ("subscribe", {"subscribe": "1"}),
    ("report", {"reason": "Spam link"}),
    ("preview", {"text": "*hello*"}),
])
def test_each_write_of_the_issue_page_is_limited_per_account(
        visitor, portal, path, form):
    issue = factories.Issue(user=portal["editor"],
                            dataset_id=portal["dataset"]["id"])
    visitor.sign_in(portal["reporter"])
    url = ("/helpdesk/preview" if path == "preview"
           else f"/helpdesk/issues/{issue['id']}/{path}")

    assert visitor.post(url, form).status_code in (200, 302)
    refused = visitor.post(url, form)

    assert refused.status_code == 429, refused.body
    _retry_after(refused)
    assert "Too many requests" in refused.body, refused.body
    if path == "comment":
        assert "A comment typed with care" in refused.body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.ckan_config(LIMIT + "reports", "1/hour")
def test_forwarded_for_is_ignored_without_a_trusted_proxy(app, portal):
    first = _api_report(app, portal["dataset"], **ANONYMOUS,
                        headers={"X-Forwarded-For": "203.0.113.1"})
    assert first.status_code == 200
    # Another "client" by the header only: the same socket address.
    _api_report(app, portal["dataset"], status=429, **ANONYMOUS,
                headers={"X-Forwarded-For": "203.0.113.2"})


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
@pytest.mark.ckan_config(LIMIT + "reports", "1/hour")
@pytest.mark.ckan_config("ckanext.helpdesk.trusted_proxies",
                         "10.0.0.0/8 " + CLIENT["REMOTE_ADDR"])
def test_forwarded_for_counts_the_client_behind_a_trusted_proxy(
        app, portal):
    def send(forwarded, status=200):
        return _api_report(app, portal["dataset"], status=status,
                           headers={"X-Forwarded-For": forwarded},
                           **ANONYMOUS)

    # A client cannot escape by writing its own header: the proxies
    # append the address they saw, which is what counts.
    send("198.51.100.9, 203.0.113.1, 10.1.2.3")
    send("203.0.113.2")
    send("6.6.6.6, 203.0.113.1", status=429)
    assert _issues() == 2


def test_with_redis_down_reports_go_through_unlimited(portal, tmp_path):
    # test.ini with a limit of one report an hour.
    ini = pathlib.Path(tmp_path) / "limited.ini"
    ini.write_text(TEST_INI.read_text().replace(
        "%(here)s", str(TEST_INI.parent)).replace(
        f"{LIMIT}reports = 0", f"{LIMIT}reports = 1/hour"))
    token = factories.APIToken(user=portal["reporter"]["name"])["token"]

    def send(url):
        return requests.post(
            f"{url}/api/3/action/helpdesk_issue_create",
            headers={"Authorization": token},
            json=dict(REPORT, dataset_id=portal["dataset"]["id"]),
            timeout=30).status_code

    with ckan_server(ini) as url:
        assert [send(url), send(url)] == [200, 429]
    with ckan_server(ini, CKAN_REDIS_URL="redis://127.0.0.1:1/0") as url:
        assert [send(url), send(url)] == [200, 200]
    assert _issues() == 3
