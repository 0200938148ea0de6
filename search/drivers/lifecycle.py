"""The engine indexes' lifecycle: one index per locale behind an alias, created, rebuilt, swapped.

``<prefix>-<locale>`` is an alias of ``<prefix>-<locale>-<stamp>``; a rebuild bulk-loads a new
index and moves the alias in one atomic request, so reads never fail during it. The index body
(settings and mapping) is ``search.mapping``'s; its shards and replicas are the ``Layout``'s.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from search.drivers.client import EngineClient
from search.mapping import index_body

# Documents per bulk request: about 2-4 MB of case documents, within the engines' advice (5-15 MB).
BULK_CHUNK = 1000
DEFAULT_REFRESH_INTERVAL = "1s"  # the engines' own default, when the mapping sets none


@dataclass(frozen=True)
class Layout:
    """Primary shards and replicas of each new index (``SEARCH_INDEX_SHARDS``, ``SEARCH_INDEX_REPLICAS``).

    ``replicas=None`` asks the cluster when an index is created: 1 replica when it has more than one
    data node, so losing a node loses no shard; 0 on a lone node, which can never place a replica.
    """

    shards: int = 1
    replicas: int | None = None

    def index_body(self, client: EngineClient, locale: str) -> dict[str, Any]:
        replicas = self.replicas if self.replicas is not None else (1 if client.data_nodes() > 1 else 0)
        return index_body(locale, shards=self.shards, replicas=replicas)


# One shard, replicas as the cluster allows.
DEFAULT_LAYOUT = Layout()


def alias_name(prefix: str, locale: str) -> str:
    return f"{prefix}-{locale}"


def _new_index_name(alias: str) -> str:
    return f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"


def ensure_index(client: EngineClient, alias: str, locale: str, layout: Layout = DEFAULT_LAYOUT) -> str:
    """The alias of the locale's index, creating a first index behind it when there is none."""
    if client.alias_targets(alias):
        return alias
    name = _new_index_name(alias)
    client.create_index(name, layout.index_body(client, locale))
    try:
        client.update_aliases([{"add": {"index": name, "alias": alias}}])
    except Exception:
        client.delete_index(name)
        raise
    return alias


def rebuild_index(
    client: EngineClient, alias: str, locale: str, documents: Iterable[dict[str, Any]], layout: Layout = DEFAULT_LAYOUT
) -> int:
    """Load ``documents`` into a new index, swap the alias to it, drop the old; returns the count written.

    A failure before the swap deletes the new index and leaves the old one serving.
    """
    old = client.alias_targets(alias)
    name = _new_index_name(alias)
    body = layout.index_body(client, locale)
    # While bulk loading: no refreshes, and no replicas (each document would be indexed again on
    # every replica); the index gets the layout's settings back before it takes the alias.
    serving = {
        "refresh_interval": body["settings"].get("refresh_interval", DEFAULT_REFRESH_INTERVAL),
        "number_of_replicas": body["settings"].get("number_of_replicas", 0),
    }
    body["settings"].update(refresh_interval="-1", number_of_replicas=0)
    client.create_index(name, body)
    written = 0
    try:
        for chunk in _chunks(documents, BULK_CHUNK):
            client.bulk(
                [{"_op_type": "index", "_index": name, "_id": doc["id"], "_source": doc} for doc in chunk],
                refresh=False,
            )
            written += len(chunk)
        client.put_settings(name, {"index": serving})
        client.refresh(name)
        actions = [{"remove": {"index": index, "alias": alias}} for index in old]
        client.update_aliases([*actions, {"add": {"index": name, "alias": alias}}])
    except Exception:
        client.delete_index(name)
        raise
    for index in old:
        client.delete_index(index)
    return written


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
