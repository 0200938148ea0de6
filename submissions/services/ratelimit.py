"""Who is asking (as a keyed hash) and how often: the per-client rate limit of submissions.

The client is its IP address, taken from ``REMOTE_ADDR`` or, behind ``SUBMISSIONS_TRUSTED_PROXIES``
reverse proxies, from the address the outermost trusted proxy saw in ``X-Forwarded-For`` (never
the left-most entry, which the client writes itself). IPv6 clients are counted per /64, the block
one subscriber usually gets, so rotating addresses inside it does not reset the limit.

The fingerprint is an HMAC of that address with the ``SECRET_KEY``: stable enough to count and to
group abuse, useless for finding the person (a plain hash of an IPv4 address is reversed by trying
all four billion).

Counters are fixed one-hour windows in the ``submissions`` cache, which every gunicorn worker and
node shares (a database cache by default). The database cache's ``incr`` is a read and a write,
so two workers racing on the same client may each count once where twice was due; the limit is a
brake on abuse, not an exact quota.
"""

from __future__ import annotations

import contextlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

CACHE_ALIAS = "submissions"
WINDOW_SECONDS = 3600


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


def client_fingerprint(request: HttpRequest) -> str:
    return salted_hmac("submissions.client", _network(client_address(request)), algorithm="sha256").hexdigest()


def hit(fingerprint: str, now: float | None = None) -> RateDecision:
    """Count one attempt of this client; refuse it when the window's budget is spent."""
    limit = settings.SUBMISSIONS_RATE_LIMIT
    if limit <= 0:
        return RateDecision(True)
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now))
    cache = caches[CACHE_ALIAS]
    key = f"rate:{fingerprint}:{window}"
    # add() is a no-op when the counter exists; the timeout outlives the window so it is never
    # culled while it still counts.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    if count > limit:
        return RateDecision(False, retry_after, key)
    return RateDecision(True, key=key)


def refund(decision: RateDecision) -> None:
    """Give back an attempt that turned out not to be one (an idempotent replay of a stored submission).

    Attempts are counted before the body is read, so only then can a replay be recognised.
    """
    if decision.key is None or not decision.allowed:
        return
    with contextlib.suppress(ValueError):  # the window's counter is gone: nothing left to give back
        caches[CACHE_ALIAS].decr(decision.key)
