"""The ``EngineClient`` of OpenSearch 2.x, through opensearch-py (tested against a real node)."""

from __future__ import annotations

from opensearchpy import OpenSearch, exceptions

from search.drivers.client import LibraryClient


class OpenSearchClient(LibraryClient):
    def __init__(self, url: str, timeout: float) -> None:
        client = OpenSearch(hosts=[url], timeout=30, max_retries=0, retry_on_timeout=False)
        super().__init__(url, timeout, client, exceptions)
