"""The shared Redis cache of several app servers (``REDIS_URL``), and what happens when it is down.

With ``REDIS_URL`` the caches that must agree between servers live in one Redis (site_config/settings.py
"Caches", docs/operations.md "Shared caches"): the rate-limit counters, the search answers and the
taxonomy labels' version. Without it they stay where the embedded default keeps them.

``RedisHealth`` is a process-local circuit breaker (core.circuit_breaker) like the search engine's:
after a failed Redis call, this process leaves Redis alone for ``REDIS_RETRY_AFTER`` seconds, so a dead Redis costs one
connect timeout, not one per request.

``ForgivingRedisCache`` is Django's RedisCache for caches that are an optimisation (search answers,
the labels' version): while Redis is unreachable a read is a miss and a write is dropped, so the
site computes what it would have read. The rate limit needs its counters and handles the error
itself (core.ratelimit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from core.circuit_breaker import CircuitBreaker

logger = logging.getLogger("core.shared_cache")

REDIS_RETRY_AFTER = 5.0

T = TypeVar("T")


class RedisHealth(CircuitBreaker):
    """Process-local circuit breaker around the shared Redis."""

    retry_after = REDIS_RETRY_AFTER
    logger = logger
    message = "shared cache (Redis) unavailable"


def guarded(call: Callable[[], T], fallback: T) -> T:
    """``call()``, or ``fallback`` while Redis is down or when the call fails (which trips the breaker)."""
    if not RedisHealth.available():
        return fallback
    try:
        return call()
    except RedisError as exc:
        RedisHealth.failed(exc)
        return fallback


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache whose outage is a miss (reads) or a no-op (writes)."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return guarded(lambda: super(ForgivingRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        guarded(lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return guarded(lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return guarded(lambda: super(ForgivingRedisCache, self).delete(key, version), False)


def is_redis(cache: object) -> bool:
    return isinstance(cache, RedisCache)


def bump(cache: BaseCache, key: str) -> None:
    """Add one to a counter of a Redis cache, made at 1 if missing (Redis INCR; Django's ``incr``
    refuses a missing key); nothing while Redis is down, like ``ForgivingRedisCache``'s writes."""
    assert isinstance(cache, RedisCache), "a counter shared between servers lives in Redis (REDIS_URL)"
    redis_key = cache.make_and_validate_key(key)
    guarded(lambda: cache._cache.get_client(redis_key, write=True).incr(redis_key), None)
