"""`ckan helpdesk sync`: what changed on forwarded issues on the other
side, applied here.

Per endpoint, batched, never one call per issue:
- where it serves servicerequestupdates.json (the mySociety extension,
  which our own Open311 serves), the updates since the last sync, in
  windows of at most 89 days; each update is applied once (its update_id
  is kept with the forward);
- elsewhere, requests.json?service_request_id=a,b,c in batches of
  ckanext.helpdesk.forward.sync_batch, for the forwards the other side
  has not closed: a change of status or status_notes is an update (its
  id made of what changed, so it too applies once).

An update becomes a status change (closed: resolved; open again: new;
in progress: in progress) with its note as a public reply, or the note
alone as a reply, by a user named for the remote endpoint: the timeline
says who answered, and the reporter and subscribers are told as for any
reply. That user never gets help desk email itself (it opts out).
"""
from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import urllib.parse

import requests
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.federation import client, forwarding, origin
from ckanext.helpdesk.model import (CLOSED_STATUSES, OPEN_STATUSES, Forward,
                                    ForwardSync, ForwardUpdate, Issue,
                                    NotificationOptOut, utcnow)
from ckanext.helpdesk.open311.render import w3c_datetime

log = logging.getLogger(__name__)

WINDOW = datetime.timedelta(days=89)  # servers may cap a range at 90
# Remote statuses (GeoReport's and the updates extension's) by meaning.
CLOSING = {"closed", "fixed", "duplicate", "cancelled",
           "not_councils_responsibility", "no_further_action",
           "internal_referral"}
WONT_FIX = {"not_councils_responsibility", "no_further_action",
            "cancelled"}
WORKING = {"in_progress", "action_scheduled", "investigating"}
REOPENING = {"open", "reopen", "for_triage"}


def sync(now=None) -> dict[str, int]:
    """One pass over every endpoint with delivered forwards: {endpoints,
    calls, applied}. An endpoint that fails is left for the next pass."""
    now = now or utcnow()
    endpoints = model.Session.execute(sa.select(Forward.base_url).where(
        Forward.state == "delivered", Forward.remote_id.is_not(None)
    ).distinct()).scalars().all()
    totals = {"endpoints": 0, "calls": 0, "applied": 0}
    for base_url in endpoints:
        try:
            calls, applied = sync_endpoint(base_url, now)
        except client.Open311Failure as error:
            model.Session.rollback()
            log.warning("Help desk sync of %s failed: %s", base_url, error)
            continue
        totals["endpoints"] += 1
        totals["calls"] += calls
        totals["applied"] += applied
    return totals


def sync_endpoint(base_url: str, now) -> tuple[int, int]:
    """(calls made, updates applied) for one endpoint."""
    state = model.Session.get(ForwardSync, base_url) or ForwardSync(
        base_url=base_url)
    model.Session.add(state)
    api_key = _api_key(base_url)
    with requests.Session() as session:
        counter = _Counter(session)
        applied = None
        if state.has_updates is not False:
            applied = _by_updates(base_url, state, now, api_key, counter)
        if applied is None:
            state.has_updates = False
            applied = _by_requests(base_url, api_key, counter)
    state.synced_until = now
    model.Session.commit()
    return counter.calls, applied


class _Counter:
    """The session, counting the calls made through it."""

    def __init__(self, session):
        self.session, self.calls = session, 0

    def request(self, *args, **kwargs):
        self.calls += 1
        return self.session.request(*args, **kwargs)


def _api_key(base_url):
    forward = model.Session.execute(sa.select(Forward).where(
        Forward.base_url == base_url).limit(1)).scalar()
    return forwarding.api_key_of(forward) if forward else None


def _by_updates(base_url, state, now, api_key, session):
    """Apply the updates since the last sync; None where the endpoint has
    no servicerequestupdates.json."""
    start = state.synced_until or model.Session.execute(
        sa.select(sa.func.min(Forward.delivered_at)).where(
            Forward.base_url == base_url)).scalar() or now
    applied = 0
    while start < now:
        end = min(start + WINDOW, now)
        try:
            found = client.updates(base_url, w3c_datetime(start),
                                   w3c_datetime(end), api_key, session)
        except client.Refused as error:
            if error.status in (400, 404, 405, 501):
                return None
            raise
        state.has_updates = True
        applied += _apply_updates(base_url, found)
        start = end
    return applied


def _apply_updates(base_url, updates):
    ids = {str(update.get("service_request_id")) for update in updates}
    forwards = _forwards_by_remote_id(base_url, ids)
    applied = 0
    for update in sorted(updates, key=lambda u: str(
            u.get("updated_datetime"))):
        forward = forwards.get(str(update.get("service_request_id")))
        if forward is not None and update.get("update_id") is not None:
            applied += apply_update(
                forward, "u:" + str(update["update_id"]),
                update.get("status"), update.get("description"))
    return applied


def _forwards_by_remote_id(base_url, ids):
    if not ids:
        return {}
    return {forward.remote_id: forward
            for forward in model.Session.execute(sa.select(Forward).where(
                Forward.base_url == base_url, Forward.state == "delivered",
                Forward.remote_id.in_(ids))).scalars()}


def _by_requests(base_url, api_key, session):
    """Ask for the forwards the other side has not closed, a batch at a
    time, and apply what changed."""
    batch = max(1, tk.config["ckanext.helpdesk.forward.sync_batch"])
    ids = model.Session.execute(sa.select(Forward.remote_id).where(
        Forward.base_url == base_url, Forward.state == "delivered",
        Forward.remote_id.is_not(None),
        sa.func.coalesce(Forward.remote_status, "open") != "closed"
    ).order_by(Forward.delivered_at)).scalars().all()
    applied = 0
    for offset in range(0, len(ids), batch):
        chunk = ids[offset:offset + batch]
        records = client.requests_by_id(base_url, chunk, api_key, session)
        forwards = _forwards_by_remote_id(base_url, set(chunk))
        for record in records:
            forward = forwards.get(str(record.get("service_request_id")))
            if forward is not None:
                applied += _apply_record(forward, record)
        model.Session.commit()
    return applied


def _apply_record(forward, record):
    status = (record.get("status") or "").lower() or None
    notes = record.get("status_notes") or None
    if (_kind(status) or forward.remote_status, notes) == (
            forward.remote_status, forward.remote_notes):
        return 0
    new_notes = notes if notes != forward.remote_notes else None
    update_id = "r:" + hashlib.sha256("\n".join(
        str(part) for part in (status, notes, record.get(
            "updated_datetime"))).encode()).hexdigest()[:32]
    return apply_update(forward, update_id, status, new_notes)


def apply_update(forward: Forward, update_id: str, status, description):
    """Apply one remote update to the forwarded issue, once: 1 if it was
    applied now, 0 if it was before."""
    inserted = model.Session.execute(pg_insert(ForwardUpdate).values(
        forward_id=forward.id, update_id=update_id[:200]
    ).on_conflict_do_nothing().returning(ForwardUpdate.update_id)).first()
    if inserted is None:
        return 0
    status = (status or "").lower() or None
    forward.remote_status = _kind(status) or forward.remote_status
    if description:
        forward.remote_notes = description
    issue = model.Session.get(Issue, forward.issue_id)
    new_status = _status_here(issue.status, status)
    context = {"ignore_auth": True, "user": remote_user(forward),
               "defer_commit": True}
    if new_status:
        data = {"id": issue.id, "status": new_status}
        if description:
            data["comment"] = description
        tk.get_action("helpdesk_issue_update")(context, data)
    elif description:
        tk.get_action("helpdesk_comment_create")(
            context, {"issue_id": issue.id, "body": description})
    return 1


def _kind(status):
    """"open" or "closed", as GeoReport says, of a remote status."""
    if not status:
        return None
    return "closed" if status in CLOSING else "open"


def _status_here(current, remote):
    """The issue's new status for a remote one, or None to keep it."""
    if remote in CLOSING and current in OPEN_STATUSES:
        return "wont_fix" if remote in WONT_FIX else "resolved"
    if remote in REOPENING and current in CLOSED_STATUSES:
        return "new"
    if remote in WORKING and current == "new":
        return "in_progress"
    return None


def remote_user(forward: Forward) -> str:
    """The name of the user standing for the remote endpoint (made the
    first time, wanting no help desk email)."""
    host, path = origin.normalized(forward.base_url)
    name = "helpdesk-remote-" + hashlib.sha256(
        (host + path).encode()).hexdigest()[:12]
    user = model.User.get(name)
    if user is None:
        site_host = urllib.parse.urlsplit(
            tk.config["ckan.site_url"]).hostname or "localhost"
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        created = tk.get_action("user_create")(
            {"ignore_auth": True, "user": site_user["name"]},
            {"name": name, "email": f"{name}@{_mail_host(site_host)}",
             "fullname": forward.endpoint_name[:100],
             "password": secrets.token_urlsafe(32)})
        model.Session.add(NotificationOptOut(user_id=created["id"]))
        model.Session.commit()
    return name


def _mail_host(host):
    """A domain for the remote user's (never used) address."""
    return host if "." in host and not re.fullmatch(r"[\d.]+", host) \
        else "localhost.localdomain"
