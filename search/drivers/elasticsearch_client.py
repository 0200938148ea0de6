"""The ``EngineClient`` of Elasticsearch 8.x, through elasticsearch-py 8 (keyword bodies).

Not exercised here: no Elasticsearch server can run on these machines (docs/search.md).
elasticsearch-py 8 sets timeouts through ``.options()``, so only searches pass one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch, exceptions

from search.drivers.base import EngineUnavailable
from search.drivers.client import bulk_lines


class ElasticsearchClient:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.client = Elasticsearch(hosts=[url], request_timeout=30, max_retries=0, retry_on_timeout=False)

    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (exceptions.ConnectionError, exceptions.ConnectionTimeout) as exc:
            raise EngineUnavailable(str(exc)) from exc
        except exceptions.ApiError as exc:
            if exc.meta.status >= 500:
                raise EngineUnavailable(str(exc)) from exc
            raise

    def info(self) -> dict[str, Any]:
        return self._call(self.client.info)

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        body = dict(body)
        if "from" in body:
            body["from_"] = body.pop("from")
        client = self.client.options(request_timeout=self.timeout)
        return self._call(client.search, index=index, ignore_unavailable=True, request_cache=True, **body)

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        lines = bulk_lines(actions)
        if lines:
            self._call(self.client.bulk, operations=lines, refresh=refresh)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.create, index=name, settings=body["settings"], mappings=body["mappings"])

    def delete_index(self, name: str) -> None:
        self._call(self.client.indices.delete, index=name, ignore_unavailable=True)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self._call(self.client.indices.get_alias, name=alias))
        except exceptions.NotFoundError:
            return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._call(self.client.indices.update_aliases, actions=actions)

    def refresh(self, index: str) -> None:
        self._call(self.client.indices.refresh, index=index)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._call(self.client.indices.put_settings, index=index, settings=settings["index"])

    def count(self, index: str) -> int:
        try:
            return self._call(self.client.count, index=index)["count"]
        except exceptions.NotFoundError:
            return 0
