"""Rate limits of the help desk's writes, counted in Redis.

The write actions (and the preview endpoint) call `check()` first, so the
pages, the Action API and Open311 share one count per family of writes
(``ckanext.helpdesk.rate_limit.<family>``, "10/hour"), kept per account
and per client address. Over the limit they raise `RateLimited`, and
`answer_too_many()`, run after every request, turns the answer into
429 with Retry-After.

Counters are fixed windows: one key per family, subject and window,
INCR and EXPIRE in one MULTI, so every web worker shares the count and a
key disappears with its window. Twenty lines rather than the `limits`
library, which CKAN's environment does not ship. When Redis cannot be
reached, writes go through unlimited with a warning: a portal without
Redis keeps taking reports (as notifications fall back to the cron job).
"""
from __future__ import annotations

import ipaddress
import logging
import re
import time
from typing import Any, Optional

import flask
import redis

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis  # toolkit has no door to Redis

from ckanext.helpdesk import visibility

log = logging.getLogger(__name__)

FAMILIES = ("reports", "comments", "votes", "subscriptions",
            "abuse_reports", "previews", "mail")
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
LIMIT = re.compile(r"^(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?$")
# Where a refusal leaves its Retry-After for `answer_too_many()`.
RETRY_AFTER = "helpdesk_retry_after"


class RateLimited(tk.ValidationError):
    """Too many writes of one family. A ValidationError, so every caller
    that shows a refused form again (pages) or answers field errors
    (Action API) keeps doing so; `answer_too_many()` makes it a 429."""

    def __init__(self, retry_after: int):
        minutes = max(1, round(retry_after / 60))
        message = tk.ungettext(
            "Too many requests: please try again in {0} minute.",
            "Too many requests: please try again in {0} minutes.",
            minutes).format(minutes)
        super().__init__({"rate_limit": [message]})
        self.message = message
        self.retry_after = retry_after
        if flask.has_request_context():
            flask.g.setdefault(RETRY_AFTER, retry_after)


def parse(value: str) -> Optional[tuple[int, int]]:
    """(requests, seconds) of "10/hour" or "30/5 minutes"; None for an
    empty option or a limit of 0 (no limit)."""
    found = LIMIT.match((value or "").strip().lower())
    if not found:
        if (value or "").strip():
            raise ValueError(f"not a rate limit: {value!r}")
        return None
    count, periods, unit = found.groups()
    if not int(count):
        return None
    return int(count), int(periods or 1) * UNITS[unit]


def limit_of(family: str) -> Optional[tuple[int, int]]:
    option = f"ckanext.helpdesk.rate_limit.{family}"
    try:
        return parse(tk.config.get(option))
    except ValueError as error:
        # Writes keep working, as with Redis down; the log says why.
        log.error("%s is ignored: %s (write e.g. 10/hour)", option, error)
        return None


def check(context: dict[str, Any], family: str) -> None:
    """Count one write of `family` by the caller of an action (its
    account, and the address of the web request if any); RateLimited when
    either is over the limit. Sysadmins and internal calls
    (``ignore_auth``) are not limited."""
    if context.get("ignore_auth"):
        return
    user = visibility.signed_in_user(context)
    if user is not None and user.sysadmin:
        return
    limit = limit_of(family)
    if limit is None:
        return
    subjects = [f"user:{user.id}"] if user else []
    address = client_address()
    if address:
        subjects.append(f"address:{address}")
    if subjects:
        _count(family, limit, subjects)


def check_sender(family: str, address: str) -> None:
    """Count one message of `family` from an email address (inbound mail
    has no account or client address to count); RateLimited over the
    limit."""
    limit = limit_of(family)
    if limit is not None:
        _count(family, limit, [f"email:{address.strip().lower()[:254]}"])


def _count(family, limit, subjects):
    allowed, period = limit
    now = time.time()
    window = int(now // period)
    prefix = f"{tk.config['ckan.site_id']}:helpdesk:rate:{family}"
    try:
        pipeline = connect_to_redis().pipeline()
        for subject in subjects:
            key = f"{prefix}:{subject}:{window}"
            pipeline.incr(key)
            pipeline.expire(key, period)
        counts = pipeline.execute()[::2]
    except (redis.exceptions.RedisError, OSError) as error:
        log.warning("Rate limit of %s not checked, Redis is unavailable: "
                    "%s", family, error)
        return
    if max(counts) > allowed:
        raise RateLimited(int((window + 1) * period - now) + 1)


def client_address() -> Optional[str]:
    """The address of the client of the web request (None outside one).
    X-Forwarded-For is believed only when the request comes from a proxy
    named in ckanext.helpdesk.trusted_proxies, and only as far as the
    proxies it names: the rightmost address that is not one of them."""
    if not flask.has_request_context():
        return None
    address = flask.request.remote_addr
    proxies = _networks(tk.config.get("ckanext.helpdesk.trusted_proxies"))
    if not proxies or not _within(address, proxies):
        return address
    forwarded = flask.request.headers.get("X-Forwarded-For", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",")]):
        if not hop:
            continue
        if not _within(hop, proxies):
            return hop[:64]  # keeps a proxy's garbage from growing keys
        address = hop
    return address


def _networks(entries):
    if isinstance(entries, str):
        entries = entries.split()
    networks = []
    for entry in entries or ():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            log.error("ckanext.helpdesk.trusted_proxies: %r is not an "
                      "address or network", entry)
    return networks


def _within(address, networks):
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address in network for network in networks)


def answer_too_many(response: flask.Response) -> flask.Response:
    """After every request: an error answer to a request refused by a
    rate limit becomes 429 with Retry-After (CKAN's Action API would
    answer a ValidationError 409)."""
    retry_after = flask.g.get(RETRY_AFTER)
    if retry_after is not None and response.status_code >= 400:
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
    return response
