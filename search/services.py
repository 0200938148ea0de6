"""What the search app does: answer searches (engine or database) and keep the indexes current.

Indexing pipeline: a publish/unpublish/delete/move signal queues an ``IndexOutbox`` row for the
page's translation key in the same transaction, and a django-tasks task processes the outbox
after commit. Processing rewrites the database driver's rows and then the engine's documents of
every page sharing that key (a translation's publication changes ``translated_locales`` of its
source too). If the engine fails, the row stays with an exponential back-off and is retried by a
deferred task (backends that support ``run_after``) and by ``manage.py search_index sync`` (cron
or the worker), which is idempotent: nothing is dropped.

Answer cache: a search's raw answer (before labels) is cached under its query and the index
generation, a counter in the database that every index change bumps (``index_changed``), so no
process serves an answer older than the index; ``SEARCH_CACHE_SECONDS`` only bounds memory.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search.documents import build_documents, indexable_pages
from search.drivers.base import EngineUnavailable, RawResults
from search.drivers.database import DatabaseDriver
from search.drivers.engine import EngineDriver, make_client
from search.models import IndexGeneration, IndexOutbox, SearchDocument
from search.query import FacetValue, SearchHit, SearchQuery, SearchResults
from search.registry import facets

logger = logging.getLogger(__name__)

# After a failed engine request, searches go to the database for this long instead of waiting
# for the engine again: a dead engine costs one timeout, not one per request.
ENGINE_RETRY_AFTER = 5.0
MAX_BACKOFF = timedelta(minutes=15)


# --- drivers -------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _engine_driver(url: str, engine: str, prefix: str, timeout: float) -> EngineDriver:
    return EngineDriver(make_client(url, engine, timeout), prefix)


def engine_driver() -> EngineDriver | None:
    if not settings.SEARCH_URL:
        return None
    return _engine_driver(
        settings.SEARCH_URL, settings.SEARCH_ENGINE, settings.SEARCH_INDEX_PREFIX, settings.SEARCH_TIMEOUT
    )


def database_driver() -> DatabaseDriver:
    return DatabaseDriver()


class EngineHealth:
    """Process-local circuit breaker around the engine."""

    down_until = 0.0
    last_error = ""

    @classmethod
    def available(cls) -> bool:
        return time.monotonic() >= cls.down_until

    @classmethod
    def failed(cls, error: Exception) -> None:
        cls.down_until = time.monotonic() + ENGINE_RETRY_AFTER
        cls.last_error = str(error)[:500]
        logger.warning("search engine unavailable", extra={"error": cls.last_error})

    @classmethod
    def reset(cls) -> None:
        cls.down_until, cls.last_error = 0.0, ""


# --- searching -----------------------------------------------------------------------------------


def search(query: SearchQuery) -> SearchResults:
    """Answer from the engine; from the database, marked ``degraded``, when the engine is down.

    Answers of the index's current generation come from the answer cache; degraded answers are
    never cached (the engine's answer is wanted as soon as it is back).
    """
    key = _answer_key(query) if settings.SEARCH_CACHE_SECONDS else None
    if key is not None:
        cached = caches["search"].get(key)
        if cached is not None:
            raw, driver = cached
            return _labelled(raw, query, degraded=False, driver=driver)
    engine = engine_driver()
    degraded = False
    if engine is not None and EngineHealth.available():
        try:
            raw, driver = engine.search(query), engine.name
        except EngineUnavailable as exc:
            EngineHealth.failed(exc)
            degraded = True
    elif engine is not None:
        degraded = True
    if engine is None or degraded:
        raw, driver = database_driver().search(query), "database"
    if key is not None and not degraded:
        caches["search"].set(key, (raw, driver), settings.SEARCH_CACHE_SECONDS)
    return _labelled(raw, query, degraded=degraded, driver=driver)


# Part of every answer key: bump it when RawResults or the meaning of a query changes.
ANSWER_FORMAT = 1


def index_generation() -> int:
    return IndexGeneration.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def index_changed() -> None:
    """From now on no process serves a cached answer from before (call after each index write)."""
    if not IndexGeneration.objects.filter(pk=1).update(value=F("value") + 1, changed_at=timezone.now()):
        IndexGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def _answer_key(query: SearchQuery) -> str:
    parts = (
        ANSWER_FORMAT,
        index_generation(),
        settings.SEARCH_URL,  # a shared cache may serve several deployments
        settings.SEARCH_INDEX_PREFIX,
        query.default_locale,
        query.q,
        query.locale,
        sorted(query.filters.items()),
        query.year_from,
        query.year_to,
        query.effective_sort,
        query.page,
        query.page_size,
        query.fallback,
    )
    return "answer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def suggest(q: str, locale: str, limit: int = 8) -> tuple[list[dict[str, Any]], bool]:
    engine = engine_driver()
    if engine is not None and EngineHealth.available():
        try:
            return engine.suggest(q, locale, limit), False
        except EngineUnavailable as exc:
            EngineHealth.failed(exc)
    return database_driver().suggest(q, locale, limit), engine is not None


def _labelled(raw: RawResults, query: SearchQuery, degraded: bool, driver: str) -> SearchResults:
    answer_facets: dict[str, list[FacetValue]] = {}
    for facet in facets():
        label = facet.labels(query.locale)
        counts = dict(raw.facets.get(facet.key, {}))
        for selected in query.filters.get(facet.key, ()):
            counts.setdefault(selected, 0)  # a chosen value stays visible so it can be unchosen
        values = [FacetValue(code, label(code), count) for code, count in counts.items()]
        values.sort(key=lambda value: (-value.count, value.label))
        answer_facets[facet.key] = values
    hits = [
        SearchHit(
            id=hit.document["id"],
            translation_key=hit.document["translation_key"],
            type=hit.document["type"],
            title=hit.document["title"],
            summary=hit.document.get("summary") or "",
            url=hit.document.get("url"),
            locale=hit.document["locale"],
            fallback=hit.document["locale"] != query.locale,
            highlight=hit.highlight,
        )
        for hit in raw.hits
    ]
    return SearchResults(count=raw.count, results=hits, facets=answer_facets, degraded=degraded, driver=driver)


# --- indexing ------------------------------------------------------------------------------------


def queue_update(translation_key: Any, gone: list[tuple[str, int]] | None = None) -> IndexOutbox:
    """Record that the pages of ``translation_key`` changed; processed after the commit."""
    row = IndexOutbox.objects.create(translation_key=translation_key, page_ids=[list(item) for item in gone or []])
    transaction.on_commit(enqueue_processing)
    return row


def enqueue_processing(run_after: Any = None) -> None:
    from django_tasks import default_task_backend

    from search.tasks import process_outbox_task

    if run_after is not None:
        if not default_task_backend.supports_defer:
            return  # retried by `manage.py search_index sync` (cron) instead
        process_outbox_task.using(run_after=run_after).enqueue()
    else:
        process_outbox_task.enqueue()


@dataclass
class OutboxReport:
    processed: int = 0
    failed: int = 0
    documents: int = 0
    errors: list[str] = field(default_factory=list)


def process_outbox(limit: int = 500, force: bool = False) -> OutboxReport:
    """Apply due outbox rows to the database index and the engine; keep failed ones with back-off."""
    report = OutboxReport()
    now = timezone.now()
    rows = IndexOutbox.objects.all() if force else IndexOutbox.objects.filter(next_attempt_at__lte=now)
    rows = list(rows.order_by("created_at", "pk")[:limit])
    if not rows:
        return report
    by_key: dict[Any, list[IndexOutbox]] = defaultdict(list)
    for row in rows:
        by_key[row.translation_key].append(row)

    documents: list[dict[str, Any]] = []
    gone: dict[str, set[int]] = defaultdict(set)
    with transaction.atomic():
        page_ids = list(indexable_pages().filter(translation_key__in=by_key).values_list("pk", flat=True))
        documents = build_documents(page_ids)
        live_ids = {document["id"] for document in documents}
        # Documents of pages no longer live, plus pages deleted since: remembered on the outbox rows
        # before the database rows disappear, so a failed engine write still knows what to delete.
        stale = SearchDocument.objects.filter(translation_key__in=by_key).exclude(page_id__in=live_ids)
        pairs_by_key: dict[Any, set[tuple[str, int]]] = defaultdict(set)
        for key, locale, page_id in stale.values_list("translation_key", "locale", "page_id"):
            pairs_by_key[key].add((locale, page_id))
        for key, key_rows in by_key.items():
            pairs = pairs_by_key[key] | {tuple(pair) for row in key_rows for pair in row.page_ids}
            for locale, page_id in pairs:
                gone[locale].add(page_id)
            for row in key_rows:
                row.page_ids = sorted([list(pair) for pair in pairs])
                row.save(update_fields=["page_ids"])
        database = database_driver()
        database.index(documents)
        database.delete({locale: sorted(ids) for locale, ids in gone.items()})
        index_changed()  # the database driver's answers changed with this commit

    engine = engine_driver()
    report.documents = len(documents)
    try:
        if engine is not None:
            engine.index(documents)
            engine.delete({locale: sorted(ids) for locale, ids in gone.items() if ids})
    except EngineUnavailable as exc:
        EngineHealth.failed(exc)
        report.failed = len(rows)
        report.errors.append(str(exc)[:500])
        retry_at = None
        for row in rows:
            row.attempts += 1
            delay = min(timedelta(seconds=2**row.attempts), MAX_BACKOFF)
            row.next_attempt_at = timezone.now() + delay
            row.last_error = str(exc)[:2000]
            row.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            retry_at = row.next_attempt_at if retry_at is None else min(retry_at, row.next_attempt_at)
        transaction.on_commit(lambda: enqueue_processing(run_after=retry_at))
        return report
    if engine is not None:
        index_changed()  # and the engine's now
    IndexOutbox.objects.filter(pk__in=[row.pk for row in rows]).delete()
    report.processed = len(rows)
    return report


def rebuild(locales: list[str] | None = None, engine_only: bool = False) -> dict[str, int]:
    """Rebuild the database index and the engine's from the pages (engine: new index, alias swap).

    ``engine_only`` skips reading the pages: the engine's indexes are rebuilt from the database
    index, which the outbox keeps current; enough after a mapping or engine change.
    """
    written: dict[str, int] = {}
    engine = engine_driver()
    if engine_only and engine is None:
        raise EngineUnavailable("no search engine is configured (SEARCH_URL)")
    database = database_driver()
    for locale in locales or settings.MANUAL_LOCALES:
        if engine_only:
            rows = SearchDocument.objects.filter(locale=locale).values_list("document", flat=True)
            written[locale] = engine.rebuild(locale, rows.iterator(2000))
        else:
            page_ids = list(indexable_pages().filter(locale__language_code=locale).values_list("pk", flat=True))
            documents = []
            for start in range(0, len(page_ids), 500):
                documents.extend(build_documents(page_ids[start : start + 500]))
            if engine is None:
                written[locale] = database.rebuild(locale, documents)
            else:
                # The engine indexes in its own process while this one writes the database index:
                # the two rebuilds overlap instead of taking turns.
                with ThreadPoolExecutor(max_workers=1) as pool:
                    engine_written = pool.submit(engine.rebuild, locale, documents)
                    database.rebuild(locale, documents)
                    written[locale] = engine_written.result()
        index_changed()
    return written


@dataclass
class IndexStatus:
    locales: dict[str, dict[str, Any]]
    outbox: int
    lag_seconds: float
    engine: dict[str, Any]


def status() -> IndexStatus:
    engine = engine_driver()
    engine_state: dict[str, Any] = {"configured": engine is not None}
    locales: dict[str, dict[str, Any]] = {}
    for locale in settings.MANUAL_LOCALES:
        entry: dict[str, Any] = {
            "published_pages": indexable_pages().filter(locale__language_code=locale).count(),
            "database_documents": SearchDocument.objects.filter(locale=locale).count(),
        }
        if engine is not None:
            try:
                entry["engine_documents"] = engine.count(locale)
            except EngineUnavailable as exc:
                entry["engine_documents"] = None
                engine_state["error"] = str(exc)[:300]
        locales[locale] = entry
    oldest = IndexOutbox.objects.order_by("created_at").values_list("created_at", flat=True).first()
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return IndexStatus(locales=locales, outbox=IndexOutbox.objects.count(), lag_seconds=lag, engine=engine_state)


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
