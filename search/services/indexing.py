"""Keeping the indexes current: the outbox of updates, rebuilds, and the index status.

Indexing pipeline: a publish/unpublish/delete/move signal queues an ``IndexOutbox`` row for the
page's translation key in the same transaction, and a django-tasks task processes the outbox
after commit. Processing rewrites the database driver's rows and then the engine's documents of
every page sharing that key (a translation's publication changes ``translated_locales`` of its
source too). If the engine fails, the row stays with an exponential back-off and is retried by a
deferred task (backends that support ``run_after``) and by ``manage.py search_index sync`` (cron
or the worker), which is idempotent: nothing is dropped.
"""

from __future__ import annotations

import queue
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from core.side_effects import after_commit
from core.task_priorities import TaskPriority
from search.documents import build_documents, indexable_pages
from search.drivers.base import EngineUnavailable
from search.models import IndexOutbox, SearchDocument
from search.services.engines import EngineHealth, database_driver, engine_driver
from search.services.searching import index_changed

MAX_BACKOFF = timedelta(minutes=15)


def queue_update(translation_key: Any, gone: list[tuple[str, int]] | None = None) -> IndexOutbox:
    """Record that the pages of ``translation_key`` changed; processed after the commit."""
    row = IndexOutbox.objects.create(translation_key=translation_key, page_ids=[list(item) for item in gone or []])
    # After the commit; in ``core.side_effects.batch`` (an import) one round for all its pages at its end.
    after_commit("search.outbox", enqueue_processing)
    return row


def enqueue_processing(run_after: Any = None) -> None:
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
    due = IndexOutbox.objects.all() if force else IndexOutbox.objects.filter(next_attempt_at__lte=now)
    rows = list(due.order_by("created_at", "pk")[:limit])
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


def drain_outbox(limit: int = 500) -> int:
    """``process_outbox`` until no due row is left (a batch of publications queues thousands) or
    the engine fails (the rows wait for their retry); returns the rows applied."""
    processed = 0
    while True:
        report = process_outbox(limit)
        processed += report.processed
        if report.failed or report.processed < limit:
            return processed


@task(priority=TaskPriority.PUBLICATION)
def process_outbox_task() -> int:
    """Apply queued index updates (``drain_outbox``), after the commit that queued them."""
    return drain_outbox()


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
            assert engine is not None  # refused above
            rows = SearchDocument.objects.filter(locale=locale).values_list("document", flat=True)
            written[locale] = engine.rebuild(locale, rows.iterator(2000))
        else:
            chunks = _document_chunks(locale)
            if engine is None:
                written[locale] = database.rebuild(locale, (document for chunk in chunks for document in chunk))
            else:
                written[locale] = _rebuild_both(engine, database, locale, chunks)
        index_changed()
    return written


REBUILD_CHUNK = 1000  # pages read per batch of documents (a constant number of queries each)
_END, _ABORT = object(), object()


class RebuildAborted(Exception):
    """The pages could not be read to the end: the engine's new index is dropped."""


def _rebuild_both(engine: Any, database: Any, locale: str, chunks: Iterator[list[dict[str, Any]]]) -> int:
    """The engine indexes each chunk in its own process as soon as it is built, while this process
    builds the next chunks and then writes the database index: the engine's bulk loading overlaps
    with the reading of the pages instead of waiting for all of them."""
    feed: queue.SimpleQueue[Any] = queue.SimpleQueue()
    with ThreadPoolExecutor(max_workers=1) as pool:
        engine_written = pool.submit(engine.rebuild, locale, _fed(feed))
        documents: list[dict[str, Any]] = []
        try:
            for chunk in chunks:
                feed.put(chunk)
                documents.extend(chunk)
        except BaseException:
            feed.put(_ABORT)  # the engine drops its half-built index; the old one keeps serving
            raise
        feed.put(_END)
        database.rebuild(locale, documents)
        return engine_written.result()


def _document_chunks(locale: str) -> Iterator[list[dict[str, Any]]]:
    page_ids = list(indexable_pages().filter(locale__language_code=locale).values_list("pk", flat=True))
    for start in range(0, len(page_ids), REBUILD_CHUNK):
        yield build_documents(page_ids[start : start + REBUILD_CHUNK])


def _fed(feed: queue.SimpleQueue) -> Iterator[dict[str, Any]]:
    """The documents put on ``feed`` by another thread, chunk by chunk, until its end mark."""
    while True:
        chunk = feed.get()
        if chunk is _END:
            return
        if chunk is _ABORT:
            raise RebuildAborted
        yield from chunk


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
