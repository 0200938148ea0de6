"""A full rebuild loads a new index without refreshes or replicas, gives it the layout's settings
back before the alias swap, and drops it when the pages could not be read to the end."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from search.drivers.database import DatabaseDriver
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


def _rebuilt(locale: str) -> list[dict[str, Any]]:
    return [document for chunk in indexing._document_chunks(locale) for document in chunk]


@pytest.mark.django_db
def test_a_rebuild_builds_each_page_s_document_as_its_publication_does(monkeypatch, en_cases):
    """Byte for byte: the rebuild's documents (chunks of pages read together) are those the outbox
    writes when a page is published (that page alone), translations and case facts included."""
    faceted = en_cases.first().specific
    faceted.participation_mode, faceted.organiser_type = "online", "civil_society"
    faceted.save_revision().publish()
    monkeypatch.setattr(indexing, "REBUILD_CHUNK", 3)  # pages of several chunks, each read as a batch
    for locale in ("en", "ru"):
        rebuilt = _rebuilt(locale)
        assert len(rebuilt) == indexing.indexable_pages().filter(locale__language_code=locale).count() > 6
        for document in rebuilt:
            [published] = indexing.build_documents([document["id"]])
            assert json.dumps(document) == json.dumps(published)
            page = Page.objects.get(pk=document["id"])
            assert document["url"] == page.get_url()
            assert document["translated_locales"] == sorted(
                indexing.indexable_pages()
                .filter(translation_key=page.translation_key)
                .values_list("locale__language_code", flat=True)
            )
    documents = {document["id"]: document for document in _rebuilt("en")}
    assert (documents[faceted.pk]["participation_mode"], documents[faceted.pk]["organiser_type"]) == (
        ["online"],
        ["civil_society"],
    )
    assert any(document["translated_locales"] == ["en", "ru"] for document in documents.values()), "translated ones too"


@pytest.mark.django_db
def test_a_rebuild_reads_and_writes_a_chunk_with_the_same_queries_whatever_its_size(en):
    ids = list(indexing.indexable_pages().filter(locale=en).order_by("pk").values_list("pk", flat=True))
    half = len(ids) // 2
    assert half >= 4
    counts = []
    for batch in (ids[:half], ids[: 2 * half]):
        with CaptureQueriesContext(connection) as queries:
            documents = indexing.build_documents(batch)
            DatabaseDriver().index(documents)
        assert len(documents) == len(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1], f"queries per chunk grow with its pages: {counts}"
