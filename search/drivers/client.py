"""What the engine driver needs of an engine client, and the choice of the adapter.

Two sibling adapters implement ``EngineClient``: ``OpenSearchClient`` (opensearch-py, OpenSearch
2.x) and ``ElasticsearchClient`` (elasticsearch7, Elasticsearch 7.10), both tested against a real
node (docs/search-engine.md). opensearch-py is a fork of elasticsearch-py 7, so both libraries call
alike: ``LibraryClient`` holds the calls, each adapter only hands it its library's client and
errors. The query DSL (``search.drivers.dsl``) and the index lifecycle (``search.drivers.lifecycle``)
are the engine's, shared by both.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any, Protocol

from search.drivers.base import EngineUnavailable


class EngineClient(Protocol):
    """The few engine calls the driver needs.

    Every call raises ``EngineUnavailable`` (``search.drivers.base``) when the engine does not answer
    (refused, timed out) or answers with a server error; searches wait at most ``timeout`` seconds.
    """

    url: str
    timeout: float

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
    def data_nodes(self) -> int: ...


def bulk_lines(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bulk API's lines of index and delete actions (``_op_type``, ``_index``, ``_id``, ``_source``)."""
    lines: list[dict[str, Any]] = []
    for action in actions:
        meta = {"_index": action["_index"], "_id": action["_id"]}
        if action["_op_type"] == "delete":
            lines.append({"delete": meta})
        else:
            lines.append({"index": meta})
            lines.append(action["_source"])
    return lines


def call_engine(
    function: Callable[..., Any],
    *args: Any,
    unreachable: tuple[type[Exception], ...],
    answered: type[Exception],
    status: Callable[[Any], Any],
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, with the library's failures that mean "no engine" as ``EngineUnavailable``.

    ``unreachable``: the library's errors of a connection refused or timed out; ``answered``: its
    error of an engine that answered with an error status, read by ``status`` (5xx is unavailable,
    any other status is the caller's mistake and raised as is).
    """
    try:
        return function(*args, **kwargs)
    except unreachable as exc:
        raise EngineUnavailable(str(exc)) from exc
    except answered as exc:
        code = status(exc)
        if isinstance(code, int) and code >= 500:
            raise EngineUnavailable(str(exc)) from exc
        raise


class LibraryClient:
    """The ``EngineClient`` calls through a client library of elasticsearch-py 7's lineage.

    ``client``: the library's client object, with its default timeout for index management (which
    may take seconds); only searches get the short ``timeout``. ``errors``: the library's
    exceptions module (``ConnectionError``, ``ConnectionTimeout``, ``TransportError``,
    ``NotFoundError``).
    """

    def __init__(self, url: str, timeout: float, client: Any, errors: ModuleType) -> None:
        self.url = url
        self.timeout = timeout
        self.client = client
        self.not_found: type[Exception] = errors.NotFoundError
        # Connection refused or timed out, or an answer with a 5xx status: EngineUnavailable.
        self.call = partial(
            call_engine,
            unreachable=(errors.ConnectionError, errors.ConnectionTimeout),
            answered=errors.TransportError,
            status=lambda exc: exc.status_code,
        )

    def info(self) -> dict[str, Any]:
        return self.call(self.client.info, request_timeout=2)

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call(
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
        answer = self.call(self.client.bulk, body=lines, refresh="true" if refresh else "false", request_timeout=120)
        failed = [
            item
            for item in answer.get("items", [])
            for op, result in item.items()
            if result.get("status", 200) >= 300 and not (op == "delete" and result.get("status") == 404)
        ]
        if failed:
            raise EngineUnavailable(f"{len(failed)} bulk items failed, first: {failed[0]}")

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.call(self.client.indices.create, index=name, body=body, request_timeout=60)

    def delete_index(self, name: str) -> None:
        self.call(self.client.indices.delete, index=name, ignore_unavailable=True, request_timeout=60)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self.call(self.client.indices.get_alias, name=alias))
        except self.not_found:
            return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.call(self.client.indices.update_aliases, body={"actions": actions}, request_timeout=60)

    def refresh(self, index: str) -> None:
        self.call(self.client.indices.refresh, index=index, request_timeout=60)

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self.call(self.client.indices.put_settings, index=index, body=settings, request_timeout=60)

    def count(self, index: str) -> int:
        try:
            return self.call(self.client.count, index=index)["count"]
        except self.not_found:
            return 0

    def data_nodes(self) -> int:
        return self.call(self.client.cluster.health, request_timeout=10)["number_of_data_nodes"]


def make_client(url: str, engine: str, timeout: float) -> EngineClient:
    """The client for ``engine`` (``auto`` asks the root endpoint which product answers)."""
    if engine == "auto":
        engine = detect_engine(url, timeout)
    # Imported here, not at the top: only the configured engine's library is loaded (each takes 0.2
    # to 0.4 s to import, and the embedded default, the database driver, needs neither).
    if engine == "elasticsearch":
        from search.drivers.elasticsearch_client import ElasticsearchClient  # noqa: PLC0415

        return ElasticsearchClient(url, timeout)
    from search.drivers.opensearch_client import OpenSearchClient  # noqa: PLC0415

    return OpenSearchClient(url, timeout)


def detect_engine(url: str, timeout: float) -> str:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - operator's URL
            info = json.load(response)
    except (OSError, ValueError):
        return "opensearch"  # unknown for now; the first real request reports the failure
    return "opensearch" if info.get("version", {}).get("distribution") == "opensearch" else "elasticsearch"
