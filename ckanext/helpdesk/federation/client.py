"""The Open311 GeoReport v2 client the federation speaks to other
endpoints with (JSON only). Failures are sorted by what they allow:

- Unreachable: nothing reached the other side (connection refused, name
  not resolved): sending again cannot make a second report.
- Uncertain: the request may have arrived (a timeout after connecting, a
  dropped connection, a 5xx): sending again may make a second report,
  unless the other side deduplicates (see forwarding.py).
- Refused: the other side answered no (4xx, with its GeoReport errors);
  sending the same again gets the same answer (429 aside).
"""
from __future__ import annotations

import json

import requests

import ckan.plugins.toolkit as tk

USER_AGENT = "ckanext-helpdesk federation"


class Open311Failure(Exception):
    """Why a call failed, in a line a manager can read."""


class Unreachable(Open311Failure):
    pass


class Uncertain(Open311Failure):
    pass


class Refused(Open311Failure):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path


def _timeout() -> float:
    return tk.config["ckanext.helpdesk.forward.timeout"]


def _headers(api_key: str | None) -> dict:
    # Our own Open311 refuses an api_key in a URL; the header is what
    # it (and CKAN) read for reads.
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = api_key
    return headers


def call(method: str, address: str, api_key: str | None = None,
         params=None, data=None, session=None):
    """The decoded JSON answer of one call; Open311Failure otherwise."""
    try:
        response = (session or requests).request(
            method, address, params=params, data=data,
            headers=_headers(api_key), timeout=_timeout(),
            allow_redirects=False)
    except requests.exceptions.ConnectionError as error:
        if isinstance(error, requests.exceptions.ConnectTimeout) or \
                _refused(error):
            raise Unreachable(f"{address} is unreachable") from None
        raise Uncertain(f"{address} dropped the connection") from None
    except requests.exceptions.Timeout:
        raise Uncertain(f"{address} did not answer in time") from None
    except requests.exceptions.RequestException as error:
        raise Unreachable(f"{address}: {type(error).__name__}") from None
    if response.status_code >= 500:
        raise Uncertain(f"{address} answered {response.status_code}")
    if response.status_code >= 400:
        raise Refused(f"{address} answered {response.status_code}: "
                      f"{_errors(response)}", response.status_code)
    if response.status_code >= 300:
        raise Refused(f"{address} redirects elsewhere "
                      f"({response.status_code})", response.status_code)
    try:
        return response.json()
    except ValueError:
        raise Refused(f"{address} did not answer JSON",
                      response.status_code) from None


def _refused(error) -> bool:
    text = str(error)
    return any(word in text for word in (
        "Connection refused", "Name or service not known",
        "No route to host", "Failed to resolve", "nodename nor servname"))


def _errors(response) -> str:
    """The descriptions of a GeoReport error body, or its start."""
    try:
        body = response.json()
        return "; ".join(str(error.get("description")) for error in body)
    except (ValueError, TypeError, AttributeError):
        return response.text[:200]


# -- the calls ----------------------------------------------------------------

def discovery(portal_url: str) -> str | None:
    """The GeoReport v2 endpoint a portal's help desk announces at
    <portal>/open311/v2/discovery.json (our default prefix), or None when
    it has none."""
    for prefix in ("open311/v2", "open311"):
        try:
            found = call("GET", url(url(portal_url, prefix),
                                    "discovery.json"))
        except Refused:
            continue
        for endpoint in (found or {}).get("endpoints") or []:
            if "GeoReport_v2" in str(endpoint.get("specification")) \
                    and endpoint.get("url"):
                return endpoint["url"]
    return None


def services(base_url: str, api_key=None, jurisdiction_id=None) -> list:
    params = {"jurisdiction_id": jurisdiction_id} if jurisdiction_id else {}
    found = call("GET", url(base_url, "services.json"), api_key, params)
    if not isinstance(found, list):
        raise Refused(f"{base_url} has no list of services", 200)
    return [service for service in found
            if isinstance(service, dict) and service.get("service_code")]


def deduplicates(base_url: str) -> bool:
    """Whether the endpoint is a help desk that answers a repeated report
    (same attribute[origin] and attribute[origin_key]) with the first
    one's id: its OpenAPI document says so."""
    try:
        document = call("GET", url(base_url, "openapi.json"))
    except Open311Failure:
        return False
    return "attribute[origin_key]" in json.dumps(document)


def create_request(base_url: str, fields: dict, api_key=None) -> dict:
    """POST requests.json: the one element of the answer
    (service_request_id or token)."""
    data = dict(fields)
    if api_key:
        data["api_key"] = api_key
    answer = call("POST", url(base_url, "requests.json"), data=data)
    if not isinstance(answer, list) or not answer or not isinstance(
            answer[0], dict):
        raise Refused(f"{base_url} answered no request", 200)
    return answer[0]


def request_url(base_url: str, remote_id: str, api_key=None) -> str | None:
    """The page of a request on the other side, where it tells one (the
    common extensions' extended_attributes.url)."""
    try:
        found = call("GET", url(base_url, f"requests/{remote_id}.json"),
                     api_key, {"extensions": "true"})
        return ((found[0].get("extended_attributes") or {}).get("url")
                or None)
    except (Open311Failure, IndexError, AttributeError, TypeError):
        return None


def requests_by_id(base_url, ids, api_key=None, session=None) -> list:
    found = call("GET", url(base_url, "requests.json"), api_key,
                 {"service_request_id": ",".join(ids)}, session=session)
    return [record for record in found if isinstance(record, dict)] \
        if isinstance(found, list) else []


def updates(base_url, start, end, api_key=None, session=None) -> list:
    """GET servicerequestupdates.json (the mySociety extension) between
    two W3C date-times; Refused(404) where it is not served."""
    found = call("GET", url(base_url, "servicerequestupdates.json"),
                 api_key, {"start_date": start, "end_date": end},
                 session=session)
    if isinstance(found, dict):  # {"service_request_updates": [...]}
        found = next(iter(found.values()), [])
    return [update for update in found if isinstance(update, dict)] \
        if isinstance(found, list) else []
