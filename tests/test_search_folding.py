"""Accents and letter variants fold, in every locale, with the same answers from both drivers.

One table of cases runs against the real engine and against the database driver (the ``driver``
fixture, tests/conftest.py): a name typed without its accents finds the accented one, the form typed
ranks first when both forms exist, "ё" and "е" are one letter, and Cyrillic is never
transliterated. Type-ahead has its own table of the same kind.
"""

from __future__ import annotations

import copy
import importlib
import uuid
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings

from manual.models import CaseStudyIndexPage
from search import services
from search.drivers import dsl
from search.drivers.client import make_client
from search.languages import fold, folded_stems
from search.mapping import FOLDED, index_body
from search.models import SearchDocument
from search.query import build_query
from tests.support.factories import UntranslatedCaseStudyPageFactory
from tests.support.search import engine_url

pytestmark = pytest.mark.django_db

GDANSK = "Participatory budget of Gdańsk"
MALMO = "Malmö youth council"
ZURICH = "Zürich open data portal"
KOBENHAVN = "København climate assembly"
LODZ = "Łódź citizens' panel"
LODZ_PLAIN = "Lodz railway heritage walk"  # the same name without its accents
RU_LODZ = "Зелёный бюджет Łódź"
RU_LODZ_PLAIN = "Ёлочный базар Lodz"
RU_CYRILLIC = "Лодзь: городские слушания"
RU_ZURICH = "Открытые данные Zürich"

TITLES = {
    "en": [GDANSK, MALMO, ZURICH, KOBENHAVN, LODZ, LODZ_PLAIN],
    "ru": [RU_LODZ, RU_LODZ_PLAIN, RU_CYRILLIC, RU_ZURICH],
}


@dataclass(frozen=True)
class Case:
    q: str
    locale: str
    first: str  # the title expected first
    also: tuple[str, ...] = ()  # titles found too, after it
    never: tuple[str, ...] = ()  # titles that must not be found

    def __str__(self) -> str:
        return f"{self.q!r} in {self.locale}"


SEARCHES = [
    Case("Gdansk", "en", GDANSK),
    Case("Gdańsk", "en", GDANSK),
    Case("GDANSK", "en", GDANSK),
    Case("Malmo", "en", MALMO),
    Case("Malmö", "en", MALMO),
    Case("Zurich", "en", ZURICH),
    Case("Kobenhavn", "en", KOBENHAVN),
    Case("København", "en", KOBENHAVN),
    Case("Łódź", "en", LODZ, also=(LODZ_PLAIN,)),  # the exact accented form first
    Case("Lodz", "en", LODZ_PLAIN, also=(LODZ,)),  # and the exact plain one first
    Case("lodz panel", "en", LODZ, never=(LODZ_PLAIN,)),
    Case("Zurich", "ru", RU_ZURICH),
    Case("Łódź", "ru", RU_LODZ, also=(RU_LODZ_PLAIN,), never=(RU_CYRILLIC,)),
    Case("Lodz", "ru", RU_LODZ_PLAIN, also=(RU_LODZ,), never=(RU_CYRILLIC,)),
    Case("зеленый", "ru", RU_LODZ),
    Case("зелёный", "ru", RU_LODZ),
    Case("елочный", "ru", RU_LODZ_PLAIN),
    Case("Лодзь", "ru", RU_CYRILLIC, never=(RU_LODZ, RU_LODZ_PLAIN)),  # Cyrillic is not transliterated
]

SUGGESTIONS = [
    Case("Gdan", "en", GDANSK),
    Case("Malm", "en", MALMO),
    Case("Zuri", "en", ZURICH),
    Case("Kobenh", "en", KOBENHAVN),
    Case("Łód", "en", LODZ, also=(LODZ_PLAIN,)),
    Case("Lod", "en", LODZ_PLAIN, also=(LODZ,)),
    Case("Lodz pan", "en", LODZ, never=(LODZ_PLAIN,)),
    Case("Zuri", "ru", RU_ZURICH),
    Case("елоч", "ru", RU_LODZ_PLAIN),
    Case("ёлоч", "ru", RU_LODZ_PLAIN),
    Case("зелен", "ru", RU_LODZ),
    Case("Лодз", "ru", RU_CYRILLIC, never=(RU_LODZ, RU_LODZ_PLAIN)),
]


@pytest.fixture
def folding_pages(driver, django_capture_on_commit_callbacks):
    """The pages of the cases, published (and so indexed by the driver under test)."""
    parents = {code: CaseStudyIndexPage.objects.get(locale__language_code=code) for code in TITLES}
    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            UntranslatedCaseStudyPageFactory(parent=parents[code], title=title)
            for code, titles in TITLES.items()
            for title in titles
        ]
    assert {page.locale.language_code for page in pages} == set(TITLES)
    yield pages
    if driver == "engine":
        services.engine_driver().delete(
            {code: [p.pk for p in pages if p.locale.language_code == code] for code in TITLES}
        )


def mismatches(case: Case, titles: list[str]) -> list[str]:
    """What is wrong with the titles found for ``case`` (nothing, when it is answered right)."""
    wrong = []
    if not titles or titles[0] != case.first:
        wrong.append(f"{case}: {case.first!r} is not first in {titles}")
    wrong += [f"{case}: {title!r} not found in {titles}" for title in case.also if title not in titles]
    wrong += [f"{case}: {title!r} found in {titles}" for title in case.never if title in titles]
    return wrong


def test_searches_fold_accents_and_rank_the_typed_form_first(client, driver, folding_pages):
    wrong = []
    for case in SEARCHES:
        response = client.get("/api/v1/search", {"q": case.q, "locale": case.locale, "page_size": 50})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["degraded"] is False
        wrong += mismatches(case, [hit["title"] for hit in body["results"]])
    assert wrong == [], f"{driver}:\n" + "\n".join(wrong)


def test_suggestions_fold_accents_and_rank_the_typed_form_first(client, driver, folding_pages):
    wrong = []
    for case in SUGGESTIONS:
        response = client.get("/api/v1/search/suggest", {"q": case.q, "locale": case.locale, "limit": 20})
        assert response.status_code == 200, response.content
        wrong += mismatches(case, [item["title"] for item in response.json()["results"]])
    assert wrong == [], f"{driver}:\n" + "\n".join(wrong)


def test_an_unaccented_query_highlights_the_accented_word(client, driver, folding_pages):
    response = client.get("/api/v1/search", {"q": "Gdansk", "locale": "en"})
    [hit] = [hit for hit in response.json()["results"] if hit["title"] == GDANSK]
    assert hit["highlight"]["title"] == ["Participatory budget of <mark>Gdańsk</mark>"]


@pytest.mark.parametrize(
    "word, folded",
    [
        ("gdańsk", "gdansk"),
        ("malmö", "malmo"),
        ("zürich", "zurich"),
        ("københavn", "kobenhavn"),  # ø: no decomposition in Unicode, folded by the table
        ("łódź", "lodz"),  # ł too
        ("straße", "strasse"),
        ("ёлка", "елка"),
        ("мой", "мой"),  # й keeps its breve: Cyrillic letters are not folded
        ("лодзь", "лодзь"),  # nor transliterated
    ],
)
def test_fold(word, folded):
    assert fold(word) == folded


def test_folded_stems_stem_before_folding():
    assert folded_stems("Gdańsk budgets", "en") == ["gdansk", "budget"]


def test_the_migration_fills_the_folded_columns_of_rows_indexed_before_it(client, en):
    """Rows the database driver indexed before folding existed are found, folded, after migrating."""
    page = UntranslatedCaseStudyPageFactory(title=GDANSK)
    services.rebuild(["en"])
    blank = dict.fromkeys(["folded_stems", "title_folded_stems", "title_words", "title_folded_words"], "")
    SearchDocument.objects.filter(page_id=page.pk).update(**blank)
    migration = importlib.import_module("search.migrations.0003_folded_words")
    migration.fill_folded_columns(apps, None)
    body = client.get("/api/v1/search", {"q": "Gdansk", "locale": "en"}).json()
    assert [hit["id"] for hit in body["results"]] == [page.pk]
    suggested = client.get("/api/v1/search/suggest", {"q": "gdan", "locale": "en"}).json()
    assert [item["id"] for item in suggested["results"]] == [page.pk]


def test_an_engine_index_of_the_previous_mapping_answers_exact_words_until_rebuilt(en):
    """Between a deployment and its ``search_index rebuild --engine-only``, searches still find."""
    client = make_client(engine_url(), "opensearch", 5.0)
    body = copy.deepcopy(index_body("en"))
    for field in body["mappings"]["properties"].values():  # MAPPING_VERSION 2 had no folded sub-fields
        for name in (FOLDED, "prefix_folded"):
            field.get("fields", {}).pop(name, None)
    name = f"{settings.SEARCH_INDEX_PREFIX}-previous-{uuid.uuid4().hex[:8]}"
    document = SearchDocument.objects.filter(locale="en", type="case_study").order_by("page_id").first().document
    client.create_index(name, body)
    try:
        client.bulk([{"_op_type": "index", "_index": name, "_id": document["id"], "_source": document}], refresh=True)
        word = document["title"].split()[0]
        query = build_query(
            q=word,
            locale="en",
            filters={},
            year_from=None,
            year_to=None,
            sort=None,
            page=1,
            page_size=5,
            fallback=False,
        )
        found = client.search(name, dsl.search_body(query))["hits"]["hits"]
        assert [hit["_id"] for hit in found] == [str(document["id"])]
        suggested = client.search(name, dsl.suggest_body(word[:4], 5))["hits"]["hits"]
        assert [hit["_id"] for hit in suggested] == [str(document["id"])]
    finally:
        client.delete_index(name)
