"""Who is asking (as a keyed hash) and how often: the per-client rate limit of the public posts.

The client is its IP address, taken from ``REMOTE_ADDR`` or, behind ``SUBMISSIONS_TRUSTED_PROXIES``
reverse proxies, from the address the outermost trusted proxy saw in ``X-Forwarded-For`` (never
the left-most entry, which the client writes itself). IPv6 clients are counted per /64, the block
one subscriber usually gets, so rotating addresses inside it does not reset the limit.

The fingerprint is an HMAC of that address with the ``SECRET_KEY``: stable enough to count and to
group abuse, useless for finding the person (a plain hash of an IPv4 address is reversed by trying
all four billion).

Counters are one-hour buckets in the ``submissions`` cache, which every gunicorn worker and node
shares (a database cache by default, Redis with ``REDIS_URL``), read as a sliding window: the
estimate is this hour's count plus the previous hour's, weighted by how much of it the last 60
minutes still cover. A fixed window would let a client send the whole budget at 10:59 and again at
11:00; this one does not reset on the hour (the two-bucket weighted counter: two counters per
client, no timestamps). The database cache's ``incr`` is a read and a write, so two workers racing
on the same client may each count once where twice was due (Redis counts atomically); the limit is
a brake on abuse, not an exact quota.

While the shared Redis is unreachable the counters are kept in the database cache instead
(``counters``): the limit neither fails open (a Redis outage would lift the brake on every form)
nor closed (it would refuse every honest submitter). The two stores count apart, so across an
outage a client gets at most its budget in each: twice the limit, never unlimited
(docs/operations.md "Shared caches").
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from core.shared_cache import RedisHealth, is_redis

CACHE_ALIAS = "submissions"
# The database cache that holds the counters while the shared Redis is down (settings, REDIS_URL).
FALLBACK_ALIAS = "submissions-database"
WINDOW_SECONDS = 3600

T = TypeVar("T")


def counters(operation: Callable[[BaseCache], T]) -> T:
    """``operation`` on the counters' cache: the shared one, or the database's while Redis is down."""
    cache = caches[CACHE_ALIAS]
    if is_redis(cache):
        if RedisHealth.available():
            try:
                return operation(cache)
            except RedisError as exc:
                RedisHealth.failed(exc)
        cache = caches[FALLBACK_ALIAS]
    return operation(cache)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0
    key: str | None = None  # the counter that was incremented, for ``refund``


def client_address(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.SUBMISSIONS_TRUSTED_PROXIES
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # Each trusted proxy appends the address it saw; the one the outermost proxy appended is
        # ``hops`` entries from the right (counting REMOTE_ADDR, the innermost proxy, as one).
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is an IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_block_address(request: HttpRequest) -> str | None:
    """The client's address as one IP address, an IPv6 client as its /64 (the admin sign-in lockout's key).

    django-axes stores addresses in an IP field, so the /64 is written as its first address.
    """
    network = _network(client_address(request))
    if network == "unknown":
        return None
    return network.split("/")[0]


def client_fingerprint(request: HttpRequest) -> str:
    return salted_hmac("submissions.client", _network(client_address(request)), algorithm="sha256").hexdigest()


def hit(fingerprint: str, now: float | None = None, *, scope: str = "rate", limit: int | None = None) -> RateDecision:
    """Count one attempt of this client; refuse it when the last hour's budget is spent.

    Refused attempts count too: a client that keeps hammering stays refused. ``scope`` and ``limit``
    give another form its own budget (the accessibility feedback: ``ACCESSIBILITY_FEEDBACK_RATE_LIMIT``),
    so a visitor who sent cases can still report a barrier; the default is the submissions' budget.
    """
    limit = settings.SUBMISSIONS_RATE_LIMIT if limit is None else limit
    if limit <= 0:
        return RateDecision(True)
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    elapsed = (now - window * WINDOW_SECONDS) / WINDOW_SECONDS  # fraction of this bucket gone by
    key = f"{scope}:{fingerprint}:{window}"

    def count(cache: BaseCache) -> tuple[int, int]:
        # add() is a no-op when the counter exists; it lives through the next hour, where it still
        # weighs, so it is never culled while it counts.
        cache.add(key, 0, timeout=2 * WINDOW_SECONDS + 60)
        try:
            current = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=2 * WINDOW_SECONDS + 60)
            current = 1
        return current, cache.get(f"{scope}:{fingerprint}:{window - 1}", 0)

    current, previous = counters(count)
    if previous * (1 - elapsed) + current <= limit:
        return RateDecision(True, key=key)
    return RateDecision(False, _retry_after(previous, current, limit, elapsed), key)


def refund(decision: RateDecision) -> None:
    """Give back an attempt that turned out not to be one (an idempotent replay of a stored submission).

    Attempts are counted before the body is read, so only then can a replay be recognised.
    """
    if decision.key is None or not decision.allowed:
        return
    key = decision.key

    def give_back(cache: BaseCache) -> None:
        with contextlib.suppress(ValueError):  # the window's counter is gone: nothing left to give back
            cache.decr(key)

    counters(give_back)


def _retry_after(previous: int, current: int, limit: int, elapsed: float) -> int:
    """Seconds until one more attempt fits, if the client sends none meanwhile; at most an hour.

    The two counters estimate the last hour as if the previous hour's attempts were spread evenly,
    so the estimate can reach past an hour after a burst; a client is never told to wait longer
    than the window it is limited by (if the estimate still refuses then, it is told again).
    """
    if current + 1 <= limit and previous:
        # Within this hour, once enough of the previous one has slid out of the window.
        fits_at = 1 - (limit - current - 1) / previous
        wait = (fits_at - elapsed) * WINDOW_SECONDS
    else:
        # In the next hour, once enough of this one has slid out.
        fits_at = max(0.0, 1 - (limit - 1) / current)
        wait = (1 - elapsed + fits_at) * WINDOW_SECONDS
    return max(1, min(WINDOW_SECONDS, math.ceil(wait)))
