"""The engine driver: OpenSearch 2.x or Elasticsearch 7.x behind one ``SearchDriver``.

It composes the parts that each do one job: an ``EngineClient`` adapter (``search.drivers.client``)
for the calls, the query DSL (``search.drivers.dsl``) for what to ask, and the index lifecycle
(``search.drivers.lifecycle``) for where documents live: one index per locale behind an alias.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.drivers import dsl, lifecycle
from search.drivers.base import RawHit, RawResults, SearchDriver
from search.drivers.client import EngineClient
from search.query import SearchQuery


class EngineDriver(SearchDriver):
    name = "engine"

    def __init__(self, client: EngineClient, prefix: str, layout: lifecycle.Layout = lifecycle.DEFAULT_LAYOUT) -> None:
        self.client = client
        self.prefix = prefix
        self.layout = layout

    def alias(self, locale: str) -> str:
        return lifecycle.alias_name(self.prefix, locale)

    # --- writing --------------------------------------------------------------------------------

    def ensure_index(self, locale: str) -> str:
        return lifecycle.ensure_index(self.client, self.alias(locale), locale, self.layout)

    def index(self, documents: list[dict[str, Any]]) -> None:
        for locale in sorted({document["locale"] for document in documents}):
            self.ensure_index(locale)
        actions = [
            {"_op_type": "index", "_index": self.alias(document["locale"]), "_id": document["id"], "_source": document}
            for document in documents
        ]
        self.client.bulk(actions, refresh=True)

    def delete(self, locale_page_ids: dict[str, list[int]]) -> None:
        actions = []
        for locale, page_ids in locale_page_ids.items():
            if self.client.alias_targets(self.alias(locale)):
                actions += [
                    {"_op_type": "delete", "_index": self.alias(locale), "_id": page_id} for page_id in page_ids
                ]
        self.client.bulk(actions, refresh=True)

    def rebuild(self, locale: str, documents: Iterable[dict[str, Any]]) -> int:
        return lifecycle.rebuild_index(self.client, self.alias(locale), locale, documents, self.layout)

    def count(self, locale: str) -> int:
        return self.client.count(self.alias(locale))

    # --- reading --------------------------------------------------------------------------------

    def _indices(self, query: SearchQuery) -> str:
        return ",".join(self.alias(code) for code in (query.locale, *query.fallback_locales))

    def search(self, query: SearchQuery) -> RawResults:
        answer = self.client.search(self._indices(query), dsl.search_body(query))
        hits = [RawHit(hit["_source"], dsl.highlights(hit.get("highlight", {}))) for hit in answer["hits"]["hits"]]
        facets = dsl.facet_counts(answer.get("aggregations", {}))
        return RawResults(count=answer["hits"]["total"]["value"], hits=hits, facets=facets)

    def suggest(self, q: str, locale: str, limit: int) -> list[dict[str, Any]]:
        answer = self.client.search(self.alias(locale), dsl.suggest_body(q, limit))
        return [hit["_source"] for hit in answer["hits"]["hits"]]
