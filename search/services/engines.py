"""Which driver answers: the engine when one is configured and answering, else the database.

``EngineHealth`` is a process-local circuit breaker: after a failed engine request, searches go to
the database for ``ENGINE_RETRY_AFTER`` seconds instead of waiting for the engine again, so a dead
engine costs one timeout, not one per request.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from django.conf import settings

from core.circuit_breaker import CircuitBreaker
from search.drivers.base import EngineUnavailable
from search.drivers.client import make_client
from search.drivers.database import DatabaseDriver
from search.drivers.engine import EngineDriver
from search.drivers.lifecycle import Layout

logger = logging.getLogger("search.services")

ENGINE_RETRY_AFTER = 5.0


@lru_cache(maxsize=4)
def _engine_driver(url: str, engine: str, prefix: str, timeout: float, layout: Layout) -> EngineDriver:
    return EngineDriver(make_client(url, engine, timeout), prefix, layout)


def engine_driver() -> EngineDriver | None:
    if not settings.SEARCH_URL:
        return None
    layout = Layout(settings.SEARCH_INDEX_SHARDS, settings.SEARCH_INDEX_REPLICAS)
    return _engine_driver(
        settings.SEARCH_URL, settings.SEARCH_ENGINE, settings.SEARCH_INDEX_PREFIX, settings.SEARCH_TIMEOUT, layout
    )


def database_driver() -> DatabaseDriver:
    return DatabaseDriver()


class EngineHealth(CircuitBreaker):
    """Process-local circuit breaker around the engine."""

    retry_after = ENGINE_RETRY_AFTER
    logger = logger
    message = "search engine unavailable"


def engine_ping() -> dict[str, Any]:
    """For /readyz: the engine's state, or that the database driver is in use."""
    engine = engine_driver()
    if engine is None:
        return {"ok": True, "driver": "database"}
    try:
        info = engine.client.info()
    except EngineUnavailable as exc:
        return {"ok": False, "driver": "engine", "error": str(exc)[:300]}
    version = info.get("version", {})
    return {
        "ok": True,
        "driver": "engine",
        "distribution": version.get("distribution", "elasticsearch"),
        "version": version.get("number"),
    }
