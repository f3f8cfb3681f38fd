"""Forwarding: one durable row per issue and endpoint, sent by a
background job, retried with back-off by `ckan helpdesk forward-pending`
until the other side has it.

The rows are written in the transaction that makes the issue visible
(created, or shown after moderation), so none is promised for an issue
that was not made and none is lost for one that was; the jobs are
enqueued after the commit (if Redis is down then, the sweep sends them).

Exactly once. A forward is claimed while it is sent (SELECT ... FOR
UPDATE SKIP LOCKED on a pending row): two workers never send it at once.
The other side's id is stored in the commit that marks the row delivered,
and a delivered row is never sent again. What remains is a failure after
the other side may have created the report (a timeout, a dropped
connection, a 5xx): every POST carries attribute[origin] (our Open311 base
URL) and attribute[origin_key] (the forward's id), and a help desk answers
a repeated POST with the same pair with the first report's id (its
OpenAPI document names origin_key: that is how the forwarder knows). To
such an endpoint, an uncertain failure is retried like any other; to any
other endpoint it is not (there is no way to ask it whether the report
arrived): the forward is marked failed, saying it may have arrived, for a
person to check and retry (the sysadmins' page). Refusals (4xx) fail at
once with the other side's reason; unreachable endpoints are retried.
"""
from __future__ import annotations

import datetime
import logging

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import after_commit, signals
from ckanext.helpdesk.federation import client, origin, routes
from ckanext.helpdesk.notify import mail
from ckanext.helpdesk.model import Forward, ForwardRoute, Issue, utcnow

log = logging.getLogger(__name__)

MAX_DELAY = datetime.timedelta(days=1)
DESCRIPTION_LENGTH = 4000  # GeoReport's limit
# Endpoints found to deduplicate (or not), per process.
_dedupes: dict[str, bool] = {}


# -- writing ------------------------------------------------------------------

def write_forwards(issue) -> list[Forward]:
    """Add a pending forward per route the issue goes by (in the caller's
    transaction); the jobs are enqueued after its commit."""
    existing = set(model.Session.execute(sa.select(Forward.base_url).where(
        Forward.issue_id == issue.id)).scalars())
    written = []
    for route in routes.routes_for(issue):
        if route.base_url in existing:
            continue
        forward = Forward(
            id=model.types.make_uuid(), issue_id=issue.id,
            route_kind=route.kind, route_id=route.route_id,
            endpoint_name=route.name, base_url=route.base_url,
            jurisdiction_id=route.jurisdiction_id,
            service_code=route.service_code,
            remote_dataset=route.remote_dataset, next_attempt_at=utcnow())
        model.Session.add(forward)
        written.append(forward)
        _enqueue(forward)
    return written


def _enqueue(forward):
    after_commit.enqueue(model.Session(), send_forward, forward.id,
                         f"helpdesk forward {forward.id}", "forward-pending")


# -- sending ------------------------------------------------------------------

def send_forward(forward_id: str) -> str | None:
    """The background job: send one pending forward. Its new state
    ("delivered", "pending" for a retry, "failed"), or None if another
    process holds it or it is no longer pending."""
    forward = after_commit.claim_and_attempt(sa.select(Forward).where(
        Forward.id == forward_id, Forward.state == "pending"), _attempt)
    return None if forward is None else forward.state


def send_pending(retry_now=False, limit=1000) -> dict[str, int]:
    """Send the pending forwards that are due (all with retry_now):
    {delivered, failed} counts (failed: this attempt; retried later or
    given up)."""
    query = sa.select(Forward.id).where(Forward.state == "pending")
    if not retry_now:
        query = query.where(Forward.next_attempt_at <= utcnow())
    ids = model.Session.execute(
        query.order_by(Forward.next_attempt_at).limit(limit)).scalars().all()
    model.Session.commit()
    outcomes = {"delivered": 0, "failed": 0}
    for forward_id in ids:
        state = send_forward(forward_id)
        if state is not None:
            outcomes["delivered" if state == "delivered" else "failed"] += 1
    return outcomes


def retry(forward_id: str) -> bool:
    """Send a failed forward again (a sysadmin checked the other side):
    pending, due now, its attempts counted afresh."""
    forward = model.Session.get(Forward, forward_id)
    if forward is None or forward.state != "failed":
        return False
    forward.state, forward.attempts = "pending", 0
    forward.next_attempt_at = utcnow()
    _enqueue(forward)
    model.Session.commit()
    return True


def _attempt(forward: Forward) -> None:
    forward.attempts += 1
    issue = model.Session.get(Issue, forward.issue_id)
    try:
        _resolve_endpoint(forward)
        came_from = origin.origin_of(issue.id)
        if came_from and origin.same_portal(forward.base_url, came_from) \
                or origin.same_portal(forward.base_url,
                                      routes.own_open311_url()):
            forward.state = "failed"
            forward.last_error = tk._(
                "Not sent: the issue came from {0}").format(forward.base_url)
            return
        if forward.base_url not in _dedupes:
            _dedupes[forward.base_url] = client.deduplicates(
                forward.base_url)
        forward.dedupes = _dedupes[forward.base_url]
        api_key = api_key_of(forward)
        answer = client.create_request(forward.base_url,
                                       _fields(issue, forward, api_key),
                                       api_key)
    except client.Refused as error:
        if error.status == 429:
            _retry_later(forward, error)
        else:
            _fail(forward, error)
        return
    except client.Uncertain as error:
        if forward.dedupes:
            _retry_later(forward, error)
        else:
            _fail(forward, tk._(
                "{0}. The report may have arrived: check {1} before "
                "sending it again").format(error, forward.endpoint_name))
        return
    except client.Open311Failure as error:
        _retry_later(forward, error)
        return
    forward.remote_id = _text(answer.get("service_request_id"))
    forward.remote_token = _text(answer.get("token"))
    if not (forward.remote_id or forward.remote_token):
        _fail(forward, tk._("{0} answered neither an id nor a token").format(
            forward.base_url))
        return
    forward.state, forward.delivered_at = "delivered", utcnow()
    forward.remote_status, forward.last_error = "open", None
    if forward.remote_id:
        forward.remote_url = client.request_url(
            forward.base_url, forward.remote_id, api_key)


def _text(value):
    return None if value in (None, "") else str(value)


def _resolve_endpoint(forward: Forward) -> None:
    """A harvest source's portal URL becomes its Open311 endpoint, from
    its discovery.json."""
    if forward.route_kind != "harvest" or _looks_like_endpoint(forward):
        return
    found = client.discovery(forward.base_url)
    if not found:
        raise client.Refused(tk._(
            "{0} has no help desk (no Open311 discovery.json)").format(
                forward.base_url), 404)
    forward.base_url = found


def _looks_like_endpoint(forward):
    return "open311" in forward.base_url.lower()


def api_key_of(forward: Forward) -> str | None:
    if forward.route_id:
        route = model.Session.get(ForwardRoute, forward.route_id)
        if route is not None and route.api_key:
            return route.api_key
    return routes.configured_api_key(forward.base_url)


def _issue_address(issue: Issue) -> str:
    """The issue's page here, as its emails link it (a job has no
    request: notify/mail.py's request context serves url_for)."""
    dataset = model.Package.get(issue.dataset_id) if issue.dataset_id \
        else None
    organization = model.Group.get(issue.organization_id)
    with mail.request_context():
        return mail.issue_url(issue, dataset, organization)


def _fields(issue: Issue, forward: Forward, api_key) -> dict:
    """The POST of the report, as the other side's services want it."""
    page = _issue_address(issue)
    site = tk.config.get("ckan.site_title") or tk.config.get("ckan.site_url")
    lead = tk._("Reported on {site}: {url}").format(site=site, url=page)
    fields = {
        "service_code": forward.service_code,
        "attribute[title]": issue.title[:200],
        "description": (lead + "\n\n" + issue.description)[
            :DESCRIPTION_LENGTH],
        "attribute[origin]": routes.own_open311_url(),
        "attribute[origin_key]": forward.id,
        "first_name": site,
        "address_string": page,
    }
    if forward.jurisdiction_id:
        fields["jurisdiction_id"] = forward.jurisdiction_id
    if forward.remote_dataset:
        fields["attribute[dataset]"] = forward.remote_dataset
    else:
        organization = model.Group.get(issue.organization_id)
        fields["attribute[organization]"] = organization.name \
            if organization else issue.organization_id
    if not api_key:
        # Reported in the portal's name: the reporter's address stays here.
        fields["email"] = tk.config.get("smtp.mail_from")
    return fields


def _fail(forward: Forward, reason) -> None:
    forward.state = "failed"
    forward.last_error = str(reason)[:2000]
    log.warning("Help desk forward %s to %s failed: %s", forward.id,
                forward.base_url, forward.last_error)


def _retry_later(forward: Forward, error) -> None:
    forward.last_error = str(error)[:2000]
    if forward.attempts >= tk.config["ckanext.helpdesk.forward.max_attempts"]:
        forward.state = "failed"
    else:
        forward.next_attempt_at = utcnow() + retry_delay(forward.attempts)
    log.warning("Help desk forward %s to %s: attempt %d failed: %s",
                forward.id, forward.base_url, forward.attempts,
                forward.last_error)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off: the configured delay, doubled per attempt."""
    first = tk.config["ckanext.helpdesk.forward.retry_delay"]
    doublings = min(attempts - 1, 20)
    return min(datetime.timedelta(seconds=first * 2 ** doublings), MAX_DELAY)


# -- reading ------------------------------------------------------------------

def of_issue(issue_id: str) -> list[Forward]:
    return model.Session.execute(sa.select(Forward).where(
        Forward.issue_id == issue_id).order_by(Forward.created)
    ).scalars().all()


def not_delivered(limit=100) -> list[tuple[Forward, Issue]]:
    """Forwards still pending or failed, failed first, with their issues."""
    return model.Session.execute(sa.select(Forward, Issue).join(
        Issue, Issue.id == Forward.issue_id).where(
        Forward.state != "delivered").order_by(
        Forward.state, Forward.created.desc()).limit(limit)).all()


# -- signals ------------------------------------------------------------------

def subscriptions() -> dict:
    return {signals.issue_created: [on_issue_created],
            signals.issue_changed: [on_issue_changed]}


def on_issue_created(sender, issue, **kwargs):
    origin.record(issue)
    write_forwards(issue)


def on_issue_changed(sender, issue, changes, **kwargs):
    """An issue held for moderation goes once it is shown."""
    if "hidden" in changes and not issue.hidden:
        write_forwards(issue)
