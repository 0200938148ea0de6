"""Answering searches: from the engine, or from the database, marked ``degraded``, when it is down.

Answer cache: a search's raw answer (before labels) is cached under its query and the index
generation, a counter in the database that every index change bumps (``index_changed``), so no
process serves an answer older than the index; ``SEARCH_CACHE_SECONDS`` only bounds memory. The
cache is per process, or one copy for every app server in Redis (``REDIS_URL``; an outage is a
miss): docs/operations.md "Shared caches".
Labels and titles of facets come from their registrations (``search.registry``).

Glossary: with ``fallback=1`` a query is expanded into each fallback locale through the concepts the
content apps register (``search.glossary``), at query time, so a glossary change needs no rebuild.
Each process keeps the compiled glossary for the index generation it was read at; a change of the
glossary bumps the generation (``glossary_changed``), which also retires the cached answers.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import F
from django.utils import timezone

from search.drivers.base import EngineUnavailable, RawResults
from search.glossary import Glossary
from search.models import IndexGeneration
from search.query import FacetValue, SearchHit, SearchQuery, SearchResults
from search.registry import facet_keys, facets, glossary_concepts
from search.services.engines import EngineHealth, database_driver, engine_driver

# Part of every answer key: bump it when RawResults or the meaning of a query changes.
ANSWER_FORMAT = 4  # 2: words match with accents folded; 3: fallback expanded through the glossary; 4: one body fragment

# The generation's value and time of change: a rolled-back test transaction can repeat a value, not both.
Generation = tuple[int, datetime | None]
_glossary: tuple[Generation, Glossary] | None = None
_glossary_lock = threading.Lock()


def search(query: SearchQuery) -> SearchResults:
    """Answer from the engine; from the database, marked ``degraded``, when the engine is down.

    Answers of the index's current generation come from the answer cache; degraded answers are
    never cached (the engine's answer is wanted as soon as it is back).
    """
    generation = _generation() if settings.SEARCH_CACHE_SECONDS or (query.fallback_locales and query.q) else (0, None)
    key = _answer_key(query, generation[0]) if settings.SEARCH_CACHE_SECONDS else None
    if key is not None:
        cached = caches["search"].get(key)
        if cached is not None:
            raw, driver = cached
            return _labelled(raw, query, degraded=False, driver=driver)
    query = _expanded(query, generation)
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


def index_generation() -> int:
    return _generation()[0]


def _generation() -> Generation:
    return IndexGeneration.objects.filter(pk=1).values_list("value", "changed_at").first() or (0, None)


def glossary(generation: Generation | None = None) -> Glossary:
    """The registered concepts, compiled once per index generation in each process."""
    global _glossary
    generation = generation or _generation()
    with _glossary_lock:
        if _glossary is None or _glossary[0] != generation:
            _glossary = (generation, Glossary(glossary_concepts(), facet_keys()))
        return _glossary[1]


def clear_glossary_cache() -> None:
    global _glossary
    with _glossary_lock:
        _glossary = None


def glossary_changed() -> None:
    """A glossary concept or a term of a source changed: searches use it from now on, without a rebuild."""
    index_changed()


def _expanded(query: SearchQuery, generation: Generation) -> SearchQuery:
    if not (query.fallback_locales and query.q):
        return query
    compiled = glossary(generation)
    expansions = (compiled.expand(query.q, query.locale, code) for code in query.fallback_locales)
    return replace(query, expansions=tuple(expansion for expansion in expansions if expansion is not None))


def index_changed() -> None:
    """From now on no process serves a cached answer from before (call after each index write)."""
    if not IndexGeneration.objects.filter(pk=1).update(value=F("value") + 1, changed_at=timezone.now()):
        IndexGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def _answer_key(query: SearchQuery, generation: int) -> str:
    parts = (
        ANSWER_FORMAT,
        generation,  # the glossary's too: its changes bump it
        settings.SEARCH_URL,  # a shared cache may serve several deployments
        settings.SEARCH_INDEX_PREFIX,
        query.fallback_locales,  # derived from MANUAL_LOCALES, which may change between deployments
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
