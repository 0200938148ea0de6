"""The ``EngineClient`` of Elasticsearch 8.x, through elasticsearch-py 8 (keyword bodies).

Not exercised here: no Elasticsearch server can run on these machines (docs/search.md).
elasticsearch-py 8 sets timeouts through ``.options()``, so only searches pass one.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from elasticsearch import Elasticsearch, exceptions

from search.drivers.client import bulk_lines, call_engine

# Connection refused or timed out, or an answer with a 5xx status: EngineUnavailable.
_call = partial(
    call_engine,
    unreachable=(exceptions.ConnectionError, exceptions.ConnectionTimeout),
    answered=exceptions.ApiError,
    status=lambda exc: exc.meta.status,
)


class ElasticsearchClient:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.client = Elasticsearch(hosts=[url], request_timeout=30, max_retries=0, retry_on_timeout=False)

    def info(self) -> dict[str, Any]:
        return _call(self.client.info)

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        body = dict(body)
        if "from" in body:
            body["from_"] = body.pop("from")
        client = self.client.options(request_timeout=self.timeout)
        return _call(client.search, index=index, ignore_unavailable=True, request_cache=True, **body)

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        lines = bulk_lines(actions)
        if lines:
            _call(self.client.bulk, operations=lines, refresh=refresh)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        _call(self.client.indices.create, index=name, settings=body["settings"], mappings=body["mappings"])

    def delete_index(self, name: str) -> None:
        _call(self.client.indices.delete, index=name, ignore_unavailable=True)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(_call(self.client.indices.get_alias, name=alias))
        except exceptions.NotFoundError:
            return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        _call(self.client.indices.update_aliases, actions=actions)

    def refresh(self, index: str) -> None:
        _call(self.client.indices.refresh, index=index)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        _call(self.client.indices.put_settings, index=index, settings=settings["index"])

    def count(self, index: str) -> int:
        try:
            return _call(self.client.count, index=index)["count"]
        except exceptions.NotFoundError:
            return 0
