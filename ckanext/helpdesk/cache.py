"""Figures kept in Redis (shared by every web worker of every node) for a
few seconds or minutes, so busy public pages do not compute them on each
view. Only a cache: with Redis down, pages compute them from PostgreSQL.
"""
from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Callable

from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis  # toolkit has no door to Redis

log = logging.getLogger(__name__)


def _key(kind: str, key: str) -> str:
    return f"{tk.config['ckan.site_id']}:helpdesk:{kind}:{key}"


def kept(kind: str, key: str, compute: Callable[[], Any],
         seconds: int) -> Any:
    """compute(), from Redis when computed under the same kind and key in
    the last `seconds` (0: always computed). For figures that are the same
    for everyone who reads them; JSON values only."""
    if not seconds:
        return compute()
    redis = connect_to_redis()
    cache_key = _key(kind, key)
    try:
        cached = redis.get(cache_key)
    except RedisError as error:
        log.warning("Help desk %s not cached: %s", kind, error)
        return compute()
    if cached:
        return json.loads(cached)
    value = compute()
    with contextlib.suppress(RedisError):
        redis.setex(cache_key, seconds, json.dumps(value))
    return value


def kept_for_visitors(kind: str, key: str, compute: Callable[[], Any],
                      seconds: int) -> Any:
    """As kept(), for visitors who are not signed in (all of whom see the
    same); signed-in users get compute() itself."""
    if tk.current_user.is_authenticated:
        return compute()
    return kept(f"anonymous_{kind}", key, compute, seconds)


def forget(*kinds_and_keys: tuple[str, str]) -> None:
    """Drop what is kept under each (kind, key), at once rather than when
    it expires."""
    keys = [_key(kind, key) for kind, key in kinds_and_keys]
    with contextlib.suppress(RedisError):
        connect_to_redis().delete(*keys)
