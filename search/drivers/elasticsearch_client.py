"""The ``EngineClient`` of Elasticsearch 7.x, through the official 7.x client ``elasticsearch7``.

Tested against a real Elasticsearch 7.10.2 node (``make test`` runs every engine test on it too;
docs/search-engine.md). 7.10.2 is the last Apache-2.0 release and the line of Wagtail's
``elasticsearch7`` backend. Elasticsearch 8 is not supported: no Elasticsearch 8 server runs here,
so no adapter for it could be tested (docs/search.md). elasticsearch7 is pinned to 7.13.4
(requirements.in): later 7.x clients refuse a server that does not report the default build flavour.

The REST calls are those of OpenSearch 2.x (opensearch-py is a fork of this library), so the calls
are ``LibraryClient``'s; the query DSL and the index body work unchanged on 7.10 (``_doc``-less
mappings, ``track_total_hits``, the same language analyzers).
"""

from __future__ import annotations

from elasticsearch7 import Elasticsearch, exceptions

from search.drivers.client import LibraryClient


class ElasticsearchClient(LibraryClient):
    def __init__(self, url: str, timeout: float) -> None:
        client = Elasticsearch(hosts=[url], timeout=30, max_retries=0, retry_on_timeout=False)
        super().__init__(url, timeout, client, exceptions)
