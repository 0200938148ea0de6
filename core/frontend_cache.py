"""Purges of the HTTP cache in front of the service (docs/operations.md "HTTP cache").

Wagtail's frontend cache (``wagtail.contrib.frontend_cache``) names the caches: the backends of
``WAGTAILFRONTENDCACHE``, which the settings fill from ``FRONTEND_CACHE_URL``. What a change makes
stale is each app's business (``manual.services.frontend_cache``); this module sends it once the
transaction has committed (a purge sent earlier could let a reader's request put the old version
back in the cache), from a task, and never waits long on a cache that does not answer: a purge
that cannot be sent is logged and dropped, the pages then expire after their ``s-maxage``.

Two kinds of invalidation reach Varnish (its VCL: site_config/varnish/default.vcl.template):
``PURGE <path>`` drops every cached answer for that path, whatever its query string, and
``BAN`` with ``X-Ban-Prefix: <prefix>`` drops every answer whose path starts with the prefix.
"""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django_tasks import task
from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.utils import get_backends

from core.side_effects import after_commit_merged
from core.task_priorities import TaskPriority

logger = logging.getLogger("wagtail.frontendcache")

PREFIX_HEADER = "X-Ban-Prefix"
# What a prefix may hold: the VCL puts it into a regular expression unescaped, so only characters
# without a meaning there (slugs are ASCII: WAGTAIL_ALLOW_UNICODE_SLUGS is off).
SAFE_PREFIX = re.compile(r"^/[A-Za-z0-9/_-]*$")
DEFAULT_TIMEOUT = 1.0


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP ``PURGE`` backend with a timeout, one connection per batch, and prefix bans.

    Wagtail's own ``HTTPBackend`` opens a connection per URL and waits without a time limit; a
    publication must not hang on a cache that is down. ``TIMEOUT`` (seconds) bounds the connection
    and each answer; the first failure ends the batch (one log line, the rest is not tried).
    """

    def __init__(self, params: dict[str, Any]) -> None:
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", DEFAULT_TIMEOUT))
        super().__init__(params)

    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls: Iterable[str]) -> None:
        requests = []
        for url in sorted(set(urls)):
            parts = urlsplit(url)
            host = parts.netloc or self.cache_netloc
            requests.append(("PURGE", parts.path or "/", {"Host": host}))
        self._send(requests)

    def ban_prefixes(self, prefixes: Iterable[str]) -> None:
        requests = []
        for prefix in sorted(set(prefixes)):
            if not SAFE_PREFIX.match(prefix):
                logger.error("frontend cache: refused to ban the unsafe prefix %r", prefix)
                continue
            requests.append(("BAN", "/", {PREFIX_HEADER: prefix}))
        self._send(requests)

    def _send(self, requests: list[tuple[str, str, dict[str, str]]]) -> None:
        if not requests:
            return
        connection_class = http.client.HTTPSConnection if self.cache_scheme == "https" else http.client.HTTPConnection
        connection = connection_class(self.cache_netloc, timeout=self.timeout)
        sent = 0
        try:
            for method, path, headers in requests:
                connection.request(method, path, headers={"User-Agent": "manual-frontend-cache", **headers})
                response = connection.getresponse()
                response.read()
                sent += 1
                if response.status != 200:
                    logger.error("frontend cache: %s %s %s answered %s", method, path, headers, response.status)
        except (OSError, http.client.HTTPException) as exc:
            logger.error(
                "frontend cache at %s did not answer (%s): %d of %d invalidations not sent",
                self.cache_netloc,
                exc,
                len(requests) - sent,
                len(requests),
            )
        finally:
            connection.close()


@task(priority=TaskPriority.PUBLICATION)
def invalidate_task(urls: list[str], prefixes: list[str]) -> None:
    """Send the purges to every configured cache (Wagtail's ``get_backends``)."""
    for name, backend in get_backends().items():
        if urls:
            logger.info("[%s] purging %d URLs", name, len(urls))
            backend.purge_batch(urls)
        if not prefixes:
            continue
        if isinstance(backend, VarnishBackend):
            backend.ban_prefixes(prefixes)
        else:
            # A CDN backend of Wagtail purges URLs only: the prefix itself is purged, and what lies
            # under it expires after its s-maxage (docs/operations.md "HTTP cache").
            backend.purge_batch([prefix for prefix in prefixes if prefix.endswith("/")])


def enabled() -> bool:
    """Is any HTTP cache configured (``FRONTEND_CACHE_URL``)? Callers skip computing purges when not."""
    return bool(get_backends())


def invalidate_on_commit(urls: Iterable[str], prefixes: Iterable[str] = ()) -> None:
    """Purge ``urls`` (full URLs; every query string of each path) and ban ``prefixes`` after commit."""
    url_list, prefix_list = list(urls), list(prefixes)
    if not url_list and not prefix_list:
        return
    # One purge batch per commit, or per ``core.side_effects.batch`` (an import: one at its end).
    after_commit_merged("frontend-cache", {"urls": url_list, "prefixes": prefix_list}, enqueue_invalidation)


def enqueue_invalidation(urls: list[str], prefixes: list[str]) -> None:
    invalidate_task.enqueue(urls, prefixes)
