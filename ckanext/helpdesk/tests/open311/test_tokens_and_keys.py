"""Open311 on a public portal: moderation tokens that tell nothing and
stay out of reach of those who may not see the report, API tokens never
taken from (nor repeated into) a URL, and answers to a caller with
credentials kept out of shared caches."""
import base64
import binascii

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.open311.conftest import BASE, check_answer

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

FORMATS = ["json", "xml"]
moderated = pytest.mark.ckan_config(
    "ckanext.helpdesk.open311.moderate_new_requests", "true")


def moderated_report(open311_client, desk, user="reporter",
                     dataset="buses"):
    [created] = open311_client.post(
        api_key=desk["tokens"][user], service_code="data-problem",
        description="The stop names are wrong", **{
            "attribute[dataset]": dataset})
    return created["token"]


def decodings(token):
    """What a reader could make of the token: itself and the base64 of
    each of its dot-separated parts."""
    readings = [token]
    for part in token.split("."):
        try:
            readings.append(base64.urlsafe_b64decode(
                part + "=" * (-len(part) % 4)).decode("latin-1"))
        except (binascii.Error, ValueError):
            pass
    return readings


# -- moderation tokens --------------------------------------------------------

@moderated
def test_moderation_token_is_random_and_does_not_carry_the_issue_id(
        open311_client, desk):
    first = moderated_report(open311_client, desk)
    second = moderated_report(open311_client, desk)
    issues = call_as("editor", "helpdesk_issue_search")["results"]

    assert first != second
    assert len(first) >= 43  # 256 random bits, URL-safe base64
    for issue in issues:
        for token in (first, second):
            for reading in decodings(token):
                assert issue["id"] not in reading
                assert issue["id"].replace("-", "") not in reading


@moderated
def test_tokens_are_stored_only_as_hashes(open311_client, desk):
    token = moderated_report(open311_client, desk)
    stored = model.Session.execute(sa.text(
        "SELECT token_hash FROM helpdesk_open311_token")).scalars().all()

    assert len(stored) == 1 and token not in stored[0]


@moderated
@pytest.mark.parametrize("caller", [None, "outsider", "reporter"])
def test_token_of_a_private_dataset_report_is_unknown_to_who_may_not_see_it(
        open311_client, desk, caller):
    token = moderated_report(open311_client, desk, user="editor",
                             dataset="secret-plans")
    headers = {"Authorization": desk["tokens"][caller]} if caller else {}

    for fmt in FORMATS:
        refused = open311_client.get(f"tokens/{token}", fmt, expect=404,
                                     kind="token_requests", headers=headers)
        unknown = open311_client.get(f"tokens/{'x' * 43}", fmt, expect=404,
                                     headers=headers)
        assert refused == [
            dict(error, description=error["description"].replace(
                "x" * 43, token)) for error in unknown]

    [private] = call_as("editor", "helpdesk_issue_search")["results"]
    [resolved] = open311_client.both(
        f"tokens/{token}", kind="token_requests",
        headers={"Authorization": desk["tokens"]["editor"]})
    assert resolved == {"service_request_id": private["id"], "token": token}


# -- api_key ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["requests", "services", "discovery"])
def test_api_key_in_a_get_query_string_is_refused_naming_it_without_echo(
        open311_client, desk, fmt, path):
    key = desk["tokens"]["editor"]
    response = open311_client.client.get(f"{BASE}/{path}.{fmt}",
                                         query_string={"api_key": key})

    assert response.status_code == 400
    [error] = check_answer(response, fmt, "errors")
    assert "api_key" in error["description"]
    assert key not in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_api_key_in_a_post_query_string_is_refused_and_nothing_filed(
        open311_client, desk, fmt):
    key = desk["tokens"]["reporter"]
    response = open311_client.client.post(
        f"{BASE}/requests.{fmt}", query_string={"api_key": key},
        data={"service_code": "data-problem", "attribute[dataset]": "buses",
              "description": "Sent with the key in the URL"})

    assert response.status_code == 400
    [error] = check_answer(response, fmt, "errors")
    assert "api_key" in error["description"]
    assert key not in response.get_data(as_text=True)
    assert call_as("editor", "helpdesk_issue_search")["count"] == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset, status, filed", [
    ("buses", 200, 1), ("no-such-dataset", 400, 0)])
def test_api_key_in_the_post_body_works_and_is_never_echoed(
        open311_client, desk, fmt, dataset, status, filed):
    key = desk["tokens"]["reporter"]
    response = open311_client.client.post(f"{BASE}/requests.{fmt}", data={
        "api_key": key, "service_code": "data-problem",
        "attribute[dataset]": dataset, "description": "Keyed in the body"})

    assert response.status_code == status
    assert key not in response.get_data(as_text=True)
    assert call_as("editor", "helpdesk_issue_search")["count"] == filed


# -- caching ------------------------------------------------------------------

def test_open311_answers_to_a_token_holder_are_private_and_vary(
        open311_client, desk):
    signed = open311_client.client.get(
        f"{BASE}/requests.json",
        headers={"Authorization": desk["tokens"]["editor"]})
    anonymous = open311_client.client.get(f"{BASE}/requests.json")

    assert signed.status_code == anonymous.status_code == 200
    assert signed.cache_control.private and not signed.cache_control.public
    assert anonymous.cache_control.public
    for response in (signed, anonymous):
        assert {"Cookie", "Authorization"} <= set(response.vary)
