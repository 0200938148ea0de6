"""The engine driver: OpenSearch 2.x (opensearch-py) or Elasticsearch 8.x (elasticsearch-py).

The query building is shared; ``OpenSearchClient`` and ``ElasticsearchClient`` adapt the two
clients' calling conventions. One index per locale behind an alias
(``<prefix>-<locale>`` -> ``<prefix>-<locale>-<stamp>``); a rebuild writes a new index and swaps the
alias in one atomic request, so reads never fail during it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from search.drivers.base import HIT_FIELDS, EngineUnavailable, RawHit, RawResults, SearchDriver
from search.mapping import index_body
from search.query import SearchQuery
from search.registry import facet_keys

BULK_CHUNK = 500
FACET_SIZE = 300
AGGREGATION_PREFIX = "facets_"


class EngineClient:
    """The few engine calls the driver needs, raising EngineUnavailable on any transport failure."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def info(self) -> dict[str, Any]: ...
    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None: ...
    def create_index(self, name: str, body: dict[str, Any]) -> None: ...
    def delete_index(self, name: str) -> None: ...
    def alias_targets(self, alias: str) -> list[str]: ...
    def update_aliases(self, actions: list[dict[str, Any]]) -> None: ...
    def refresh(self, index: str) -> None: ...
    def put_settings(self, index: str, settings: dict[str, Any]) -> None: ...
    def count(self, index: str) -> int: ...


class OpenSearchClient(EngineClient):
    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url, timeout)
        from opensearchpy import OpenSearch, exceptions

        # Index management may take seconds; only searches get the short timeout (self.timeout).
        self.client = OpenSearch(hosts=[url], timeout=30, max_retries=0, retry_on_timeout=False)
        self.transport_errors = (exceptions.ConnectionError, exceptions.ConnectionTimeout)
        self.not_found = exceptions.NotFoundError
        self.errors = exceptions

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except self.transport_errors as exc:
            raise EngineUnavailable(str(exc)) from exc
        except self.errors.TransportError as exc:
            if isinstance(exc.status_code, int) and exc.status_code >= 500:
                raise EngineUnavailable(str(exc)) from exc
            raise

    def info(self) -> dict[str, Any]:
        return self._call(self.client.info, request_timeout=2)

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call(
            self.client.search,
            index=index,
            body=body,
            # The shard request cache keeps the query phase and the aggregations of a repeated
            # search until the next refresh (it caches only size=0 requests unless asked).
            params={"ignore_unavailable": "true", "request_cache": "true"},
            request_timeout=self.timeout,
        )

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        lines: list[dict[str, Any]] = []
        for action in actions:
            meta = {"_index": action["_index"], "_id": action["_id"]}
            if action["_op_type"] == "delete":
                lines.append({"delete": meta})
            else:
                lines.append({"index": meta})
                lines.append(action["_source"])
        if not lines:
            return
        answer = self._call(self.client.bulk, body=lines, refresh="true" if refresh else "false", request_timeout=120)
        failed = [
            item
            for item in answer.get("items", [])
            for op, result in item.items()
            if result.get("status", 200) >= 300 and not (op == "delete" and result.get("status") == 404)
        ]
        if failed:
            raise EngineUnavailable(f"{len(failed)} bulk items failed, first: {failed[0]}")

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.create, index=name, body=body, request_timeout=60)

    def delete_index(self, name: str) -> None:
        self._call(self.client.indices.delete, index=name, ignore_unavailable=True, request_timeout=60)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self._call(self.client.indices.get_alias, name=alias))
        except self.not_found:
            return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._call(self.client.indices.update_aliases, body={"actions": actions}, request_timeout=60)

    def refresh(self, index: str) -> None:
        self._call(self.client.indices.refresh, index=index, request_timeout=60)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._call(self.client.indices.put_settings, index=index, body=settings, request_timeout=60)

    def count(self, index: str) -> int:
        try:
            return self._call(self.client.count, index=index)["count"]
        except self.not_found:
            return 0


class ElasticsearchClient(OpenSearchClient):
    """elasticsearch-py 8: same calls with keyword bodies. Not exercised here (no server); see docs."""

    def __init__(self, url: str, timeout: float) -> None:  # noqa: D107 - same contract as the parent
        from elasticsearch import Elasticsearch, exceptions

        EngineClient.__init__(self, url, timeout)
        self.client = Elasticsearch(hosts=[url], request_timeout=30, max_retries=0, retry_on_timeout=False)
        self.transport_errors = (exceptions.ConnectionError, exceptions.ConnectionTimeout)
        self.not_found = exceptions.NotFoundError
        self.errors = exceptions

    def _call(self, function, *args, **kwargs):
        from elasticsearch import exceptions

        kwargs.pop("request_timeout", None)  # elasticsearch-py 8 sets timeouts through .options()
        try:
            return function(*args, **kwargs)
        except self.transport_errors as exc:
            raise EngineUnavailable(str(exc)) from exc
        except exceptions.ApiError as exc:
            if exc.meta.status >= 500:
                raise EngineUnavailable(str(exc)) from exc
            raise

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        body = dict(body)
        if "from" in body:
            body["from_"] = body.pop("from")
        client = self.client.options(request_timeout=self.timeout)
        return self._call(client.search, index=index, ignore_unavailable=True, request_cache=True, **body)

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        lines: list[dict[str, Any]] = []
        for action in actions:
            meta = {"_index": action["_index"], "_id": action["_id"]}
            lines.extend([{"delete": meta}] if action["_op_type"] == "delete" else [{"index": meta}, action["_source"]])
        if lines:
            self._call(self.client.bulk, operations=lines, refresh=refresh)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.create, index=name, settings=body["settings"], mappings=body["mappings"])

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._call(self.client.indices.update_aliases, actions=actions)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._call(self.client.indices.put_settings, index=index, settings=settings["index"])


def make_client(url: str, engine: str, timeout: float) -> EngineClient:
    """The client for ``engine`` (``auto`` asks the root endpoint which product answers)."""
    if engine == "auto":
        engine = detect_engine(url, timeout)
    return ElasticsearchClient(url, timeout) if engine == "elasticsearch" else OpenSearchClient(url, timeout)


def detect_engine(url: str, timeout: float) -> str:
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - operator's URL
            info = json.load(response)
    except (OSError, ValueError):
        return "opensearch"  # unknown for now; the first real request reports the failure
    return "opensearch" if info.get("version", {}).get("distribution") == "opensearch" else "elasticsearch"


class EngineDriver(SearchDriver):
    name = "engine"

    def __init__(self, client: EngineClient, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def alias(self, locale: str) -> str:
        return f"{self.prefix}-{locale}"

    # --- writing --------------------------------------------------------------------------------

    def ensure_index(self, locale: str) -> str:
        alias = self.alias(locale)
        targets = self.client.alias_targets(alias)
        if targets:
            return alias
        name = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        self.client.create_index(name, index_body(locale))
        try:
            self.client.update_aliases([{"add": {"index": name, "alias": alias}}])
        except Exception:
            self.client.delete_index(name)
            raise
        return alias

    def index(self, documents: list[dict[str, Any]]) -> None:
        actions = []
        for locale in sorted({document["locale"] for document in documents}):
            self.ensure_index(locale)
        for document in documents:
            actions.append(
                {
                    "_op_type": "index",
                    "_index": self.alias(document["locale"]),
                    "_id": document["id"],
                    "_source": document,
                }
            )
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
        alias = self.alias(locale)
        old = self.client.alias_targets(alias)
        name = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        body = index_body(locale)
        body["settings"]["refresh_interval"] = "-1"  # no refreshes while bulk loading
        self.client.create_index(name, body)
        written = 0
        try:
            for chunk in _chunks(documents, BULK_CHUNK):
                self.client.bulk(
                    [{"_op_type": "index", "_index": name, "_id": doc["id"], "_source": doc} for doc in chunk],
                    refresh=False,
                )
                written += len(chunk)
            self.client.put_settings(name, {"index": {"refresh_interval": "1s"}})
            self.client.refresh(name)
            actions = [{"remove": {"index": index, "alias": alias}} for index in old]
            self.client.update_aliases([*actions, {"add": {"index": name, "alias": alias}}])
        except Exception:
            self.client.delete_index(name)
            raise
        for index in old:
            self.client.delete_index(index)
        return written

    def count(self, locale: str) -> int:
        return self.client.count(self.alias(locale))

    # --- reading --------------------------------------------------------------------------------

    @staticmethod
    def _facet_clauses(filters: dict[str, tuple[str, ...]], skip: str | None = None) -> list[dict[str, Any]]:
        return [{"terms": {key: list(codes)}} for key, codes in sorted(filters.items()) if key != skip]

    @staticmethod
    def _facet_aggregations(filters: dict[str, tuple[str, ...]]) -> dict[str, Any]:
        """Disjunctive facet counts: each facet under every filter but its own.

        Facets without a filter of their own all count under the same filter (every facet
        filter), so they share one filter aggregation instead of repeating it once each.
        """

        def terms(key: str) -> dict[str, Any]:
            return {"terms": {"field": key, "size": FACET_SIZE}}

        def under(clauses: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
            return {"filter": {"bool": {"filter": clauses}}, "aggs": {key: terms(key) for key in keys}}

        keys = facet_keys()
        unfiltered = [key for key in keys if key not in filters]
        aggregations = {f"{AGGREGATION_PREFIX}{key}": under(EngineDriver._facet_clauses(filters, skip=key), [key])
                        for key in keys if key in filters}  # fmt: skip
        if unfiltered:
            aggregations[f"{AGGREGATION_PREFIX}rest"] = under(EngineDriver._facet_clauses(filters), unfiltered)
        return aggregations

    @staticmethod
    def _facet_counts(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
        keys = facet_keys()
        counts: dict[str, dict[str, int]] = {key: {} for key in keys}
        for group in aggregations.values():
            for key in keys:
                if key in group:
                    counts[key] = {bucket["key"]: bucket["doc_count"] for bucket in group[key]["buckets"]}
        return counts

    def search_body(self, query: SearchQuery) -> dict[str, Any]:
        """The one engine request of a search: hits, disjunctive facets and highlights."""
        scope: list[dict[str, Any]] = []
        if query.fallback and query.locale != query.default_locale:
            scope.append(
                {
                    "bool": {
                        "should": [
                            {"term": {"locale": query.locale}},
                            {
                                "bool": {
                                    "filter": [{"term": {"locale": query.default_locale}}],
                                    "must_not": [{"term": {"translated_locales": query.locale}}],
                                }
                            },
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        else:
            scope.append({"term": {"locale": query.locale}})
        years: dict[str, int] = {}
        if query.year_from is not None:
            years["gte"] = query.year_from
        if query.year_to is not None:
            years["lte"] = query.year_to
        if years:
            scope.append({"range": {"start_year": years}})
        must: list[dict[str, Any]] = []
        if query.q:
            must.append(
                {
                    "multi_match": {
                        "query": query.q,
                        "fields": ["title^3", "summary^2", "body"],
                        "type": "cross_fields",
                        "operator": "and",
                    }
                }
            )
        sort = {
            "relevance": ["_score", {"id": "asc"}],
            "newest": [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
            "year": [{"start_year": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
        }[query.effective_sort]
        body: dict[str, Any] = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "filter": scope}},
            "post_filter": {"bool": {"filter": self._facet_clauses(query.filters)}},
            "aggs": self._facet_aggregations(query.filters),
            "sort": sort,
            "_source": list(HIT_FIELDS),
            "from": query.offset,
            "size": query.page_size,
            "track_total_hits": True,
        }
        if query.q:
            body["highlight"] = {
                "encoder": "html",
                "pre_tags": ["<mark>"],
                "post_tags": ["</mark>"],
                "fields": {
                    "title": {"number_of_fragments": 0},
                    "summary": {"number_of_fragments": 0},
                    "body": {"fragment_size": 160, "number_of_fragments": 2},
                },
            }
        return body

    def _indices(self, query: SearchQuery) -> str:
        names = [self.alias(query.locale)]
        if query.fallback and query.locale != query.default_locale:
            names.append(self.alias(query.default_locale))
        return ",".join(names)

    def search(self, query: SearchQuery) -> RawResults:
        answer = self.client.search(self._indices(query), self.search_body(query))
        hits = [RawHit(hit["_source"], hit.get("highlight", {})) for hit in answer["hits"]["hits"]]
        facets = self._facet_counts(answer.get("aggregations", {}))
        return RawResults(count=answer["hits"]["total"]["value"], hits=hits, facets=facets)

    def suggest(self, q: str, locale: str, limit: int) -> list[dict[str, Any]]:
        body = {
            "query": {"match": {"title.prefix": {"query": q, "operator": "and"}}},
            "size": limit,
            "_source": ["id", "title", "url", "type", "locale"],
        }
        answer = self.client.search(self.alias(locale), body)
        return [hit["_source"] for hit in answer["hits"]["hits"]]


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
