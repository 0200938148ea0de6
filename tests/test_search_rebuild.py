"""A full rebuild loads a new index without refreshes or replicas, gives it the layout's settings
back before the alias swap, and drops it when the pages could not be read to the end."""

from __future__ import annotations

from typing import Any

import pytest

from search.drivers.lifecycle import Layout, rebuild_index
from search.models import SearchDocument
from search.services import indexing


class Recording:
    """An engine client that keeps what it is asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.aliases: dict[str, list[str]] = {"manual-en": ["manual-en-old"]}

    def data_nodes(self) -> int:
        return 3

    def alias_targets(self, alias: str) -> list[str]:
        return list(self.aliases.get(alias, []))

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.calls.append(("create", body["settings"]))

    def bulk(self, actions: list[dict[str, Any]], refresh: bool) -> None:
        self.calls.append(("bulk", len(actions)))

    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self.calls.append(("settings", settings))

    def refresh(self, index: str) -> None:
        self.calls.append(("refresh", index))

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.calls.append(("aliases", actions))

    def delete_index(self, name: str) -> None:
        self.calls.append(("delete", name))


def documents(count: int):
    return ({"id": n, "locale": "en", "title": f"Case {n}"} for n in range(count))


def test_the_new_index_loads_without_refreshes_or_replicas_then_gets_its_layout_back():
    client = Recording()
    assert rebuild_index(client, "manual-en", "en", documents(2500), Layout(replicas=None)) == 2500
    kinds = [kind for kind, _ in client.calls]
    assert kinds == ["create", "bulk", "bulk", "bulk", "settings", "refresh", "aliases", "delete"]
    created = client.calls[0][1]
    assert (created["refresh_interval"], created["number_of_replicas"]) == ("-1", 0)
    assert client.calls[4][1] == {"index": {"refresh_interval": "1s", "number_of_replicas": 1}}, (
        "the layout's replicas (1 on a cluster of 3 nodes) once loaded, before the alias moves"
    )


def test_a_load_that_stops_half_way_leaves_the_old_index_serving():
    client = Recording()

    def failing():
        yield from documents(1500)
        raise indexing.RebuildAborted

    with pytest.raises(indexing.RebuildAborted):
        rebuild_index(client, "manual-en", "en", failing(), Layout())
    kinds = [kind for kind, _ in client.calls]
    assert "aliases" not in kinds and kinds[-1] == "delete"
    assert client.calls[-1][1] != "manual-en-old", "the new index is dropped, not the serving one"


class Engine:
    """The engine driver's ``rebuild``, on the recording client, for the service's rebuild."""

    def __init__(self) -> None:
        self.client = Recording()
        self.written: dict[str, int] = {}

    def rebuild(self, locale: str, docs) -> int:
        self.written[locale] = rebuild_index(self.client, f"manual-{locale}", locale, docs, Layout(replicas=0))
        return self.written[locale]


@pytest.mark.django_db
def test_a_rebuild_feeds_the_engine_and_the_database_the_same_documents(monkeypatch):
    engine = Engine()
    monkeypatch.setattr(indexing, "engine_driver", lambda: engine)
    monkeypatch.setattr(indexing, "REBUILD_CHUNK", 3)  # several chunks even with the demo's pages
    written = indexing.rebuild(["en"])
    assert written["en"] == engine.written["en"] == SearchDocument.objects.filter(locale="en").count() > 3


@pytest.mark.django_db
def test_a_rebuild_whose_pages_fail_to_read_drops_the_engines_new_index(monkeypatch):
    engine = Engine()
    monkeypatch.setattr(indexing, "engine_driver", lambda: engine)
    before = SearchDocument.objects.filter(locale="en").count()

    def chunks(locale):
        yield [{"id": 1, "locale": locale, "title": "One"}]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(indexing, "_document_chunks", chunks)
    with pytest.raises(RuntimeError):
        indexing.rebuild(["en"])
    kinds = [kind for kind, _ in engine.client.calls]
    assert "aliases" not in kinds and kinds[-1] == "delete"
    assert SearchDocument.objects.filter(locale="en").count() == before, "the database index is untouched"
