"""Delivering webhook events: the background job, and the sweep of the
retries that are due (`ckan helpdesk deliver-webhooks`, for cron).

A delivery is claimed while it is tried (SELECT ... FOR UPDATE SKIP
LOCKED on a row still pending) and the claim is released by the commit
that records the attempt, so jobs and sweeps on any number of workers
never POST one delivery twice at once. Each attempt is logged with the
receiver's HTTP status or the error. Anything but a 2xx answer is retried
after 1 minute, 5 minutes, 30 minutes, 2 hours and 6 hours; after the
sixth attempt the delivery is given up ("failed").

Every attempt is signed anew (signature.py) with the webhook's current
secret and the current time, so a retry is never refused as a replay.
"""
from __future__ import annotations

import datetime
import logging
import time

import requests
import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk import after_commit
from ckanext.helpdesk.model import (Webhook, WebhookAttempt, WebhookDelivery,
                                    utcnow)
from ckanext.helpdesk.webhooks import addresses, signature

log = logging.getLogger(__name__)

RETRY_DELAYS = tuple(datetime.timedelta(minutes=minutes)
                     for minutes in (1, 5, 30, 120, 360))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 10  # seconds, to connect and again to read the answer
ERROR_LENGTH = 500
USER_AGENT = "ckanext-helpdesk webhooks"


def deliver(delivery_id: str) -> str | None:
    """The background job: try one pending delivery. Its new status
    ("delivered", "pending" for a retry, "failed"), or None if another
    process holds it or it is done already."""
    delivery = after_commit.claim_and_attempt(
        sa.select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending"), _attempt)
    return None if delivery is None else delivery.status


def deliver_due(retry_now: bool = False, limit: int = 1000) -> dict:
    """Try the pending deliveries whose retry is due (all pending ones
    with `retry_now`); the count of each outcome."""
    statement = sa.select(WebhookDelivery.id).where(
        WebhookDelivery.status == "pending")
    if not retry_now:
        statement = statement.where(WebhookDelivery.next_attempt_at
                                    <= utcnow())
    ids = model.Session.scalars(statement.order_by(
        WebhookDelivery.next_attempt_at).limit(limit)).all()
    model.Session.commit()  # each delivery is its own transaction
    outcomes = {"delivered": 0, "pending": 0, "failed": 0}
    for delivery_id in ids:
        status = deliver(delivery_id)
        if status is not None:
            outcomes[status] += 1
    return outcomes


def _attempt(delivery):
    webhook = model.Session.get(Webhook, delivery.webhook_id)
    delivery.attempts += 1
    started = time.monotonic()
    code, error = _post(webhook, delivery)
    model.Session.add(WebhookAttempt(
        delivery_id=delivery.id, response_code=code, error=error,
        duration_ms=int((time.monotonic() - started) * 1000)))
    if error is None:
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = utcnow() + RETRY_DELAYS[
            delivery.attempts - 1]
    if error is not None:
        log.warning("Webhook %s delivery %s failed (attempt %d): %s",
                    webhook.id, delivery.id, delivery.attempts, error)


def _post(webhook, delivery):
    """(HTTP status or None, error or None) of one POST."""
    body = delivery.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": delivery.event,
        "X-Helpdesk-Delivery": delivery.id,
        signature.HEADER: signature.sign(webhook.secret, int(time.time()),
                                         body),
    }
    try:
        addresses.check(webhook.url)
        # Redirects are not followed: they could lead anywhere.
        response = requests.post(webhook.url, data=body, headers=headers,
                                 timeout=TIMEOUT, allow_redirects=False)
    except addresses.Refused as refused:
        return None, str(refused)
    except requests.RequestException as failure:
        return None, f"{type(failure).__name__}: {failure}"[:ERROR_LENGTH]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"
