"""The ``EngineClient`` of OpenSearch 2.x, through opensearch-py (tested against a real node)."""

from __future__ import annotations

from functools import partial
from typing import Any

from opensearchpy import OpenSearch, exceptions

from search.drivers.base import EngineUnavailable
from search.drivers.client import bulk_lines, call_engine

# Connection refused or timed out, or an answer with a 5xx status: EngineUnavailable.
_call = partial(
    call_engine,
    unreachable=(exceptions.ConnectionError, exceptions.ConnectionTimeout),
    answered=exceptions.TransportError,
    status=lambda exc: exc.status_code,
)


class OpenSearchClient:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        # Index management may take seconds; only searches get the short timeout (self.timeout).
        self.client = OpenSearch(hosts=[url], timeout=30, max_retries=0, retry_on_timeout=False)

    def info(self) -> dict[str, Any]:
        return _call(self.client.info, request_timeout=2)

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return _call(
            self.client.search,
            index=index,
            body=body,
            # The shard request cache keeps the query phase and the aggregations of a repeated
            # search until the next refresh (it caches only size=0 requests unless asked).
            params={"ignore_unavailable": "true", "request_cache": "true"},
            request_timeout=self.timeout,
        )

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        lines = bulk_lines(actions)
        if not lines:
            return
        answer = _call(self.client.bulk, body=lines, refresh="true" if refresh else "false", request_timeout=120)
        failed = [
            item
            for item in answer.get("items", [])
            for op, result in item.items()
            if result.get("status", 200) >= 300 and not (op == "delete" and result.get("status") == 404)
        ]
        if failed:
            raise EngineUnavailable(f"{len(failed)} bulk items failed, first: {failed[0]}")

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        _call(self.client.indices.create, index=name, body=body, request_timeout=60)

    def delete_index(self, name: str) -> None:
        _call(self.client.indices.delete, index=name, ignore_unavailable=True, request_timeout=60)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(_call(self.client.indices.get_alias, name=alias))
        except exceptions.NotFoundError:
            return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        _call(self.client.indices.update_aliases, body={"actions": actions}, request_timeout=60)

    def refresh(self, index: str) -> None:
        _call(self.client.indices.refresh, index=index, request_timeout=60)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        _call(self.client.indices.put_settings, index=index, body=settings, request_timeout=60)

    def count(self, index: str) -> int:
        try:
            return _call(self.client.count, index=index)["count"]
        except exceptions.NotFoundError:
            return 0
