"""The read API: shapes, filters, locales, errors, caching and constant query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manual.models import CaseStudyPage, ManualSectionPage
from tests.support.translations import CYRILLIC

pytestmark = pytest.mark.django_db
ITEM_KEYS = {"id", "translation_key", "locale", "url", "title", "translations", "fallback"}


def get(client, url, **params):
    response = client.get(url, params)
    return response, response.json() if response.headers.get("Content-Type", "").startswith(
        "application/json"
    ) else None


def test_russian_case_list_has_russian_titles_and_english_translations(client):
    response, body = get(client, "/api/v1/cases", locale="ru", page_size=50)
    assert response.status_code == 200
    assert body["count"] >= 12 and len(body["results"]) == body["count"]
    for item in body["results"]:
        assert set(item) >= ITEM_KEYS
        assert item["locale"] == "ru" and item["fallback"] is False
        assert CYRILLIC.search(item["title"])
        assert item["url"].startswith("/ru/cases/")
        assert set(item["translations"]) == {"en"} and item["translations"]["en"]["url"].startswith("/en/")
        assert CYRILLIC.search(item["topics"][0]["label"])


def test_case_detail_and_its_translation(client, en, ru):
    source = CaseStudyPage.objects.filter(locale=en).order_by("pk").first()
    response, body = get(client, f"/api/v1/cases/{source.pk}")
    assert response.status_code == 200
    assert body["id"] == source.pk and body["locale"] == "en" and body["title"] == source.title
    assert set(body["body"]) == {
        "context",
        "objectives",
        "approach",
        "technology",
        "results",
        "lessons",
        "transferability",
    }
    assert body["metrics"] and body["links"] and body["coordinates"]["lat"] == pytest.approx(float(source.latitude))
    assert body["licence"]["code"] == "CC-BY-4.0"
    assert all(related["locale"] == "en" for related in body["related"])

    response, russian = get(client, f"/api/v1/cases/{source.pk}", locale="ru")
    translated = source.get_translation(ru)
    assert russian["id"] == translated.pk and russian["locale"] == "ru" and russian["fallback"] is False
    assert russian["translations"]["en"]["id"] == source.pk
    assert russian["translation_key"] == body["translation_key"]
    assert all(related["locale"] == "ru" for related in russian["related"])


def test_filters_or_inside_a_key_and_across_keys(client, en_cases):
    def codes(case, relation):
        return set(getattr(case, relation).values_list("code", flat=True))

    budget = {case.pk for case in en_cases if "budget" in codes(case, "topics")}
    health = {case.pk for case in en_cases if "transparency" in codes(case, "topics")}
    _, body = get(client, "/api/v1/cases?topic=budget&topic=transparency&page_size=100")
    assert {item["id"] for item in body["results"]} == budget | health
    assert body["count"] == len(budget | health)

    spain_local = {c.pk for c in en_cases if c.country.code == "ES" and c.government_level.code == "local"}
    _, body = get(client, "/api/v1/cases?country=ES&government_level=local&page_size=100")
    assert {item["id"] for item in body["results"]} == spain_local and spain_local

    empty = {c.pk for c in en_cases if c.country.code == "ES" and c.government_level.code == "european"}
    _, body = get(client, "/api/v1/cases?country=es&government_level=european")
    assert body["count"] == len(empty) == 0


def test_filter_values_are_read_as_search_reads_them(client):
    """Empty values are no filter, a repeated code counts once, more than 20 values is a 400."""
    _, everything = get(client, "/api/v1/cases?page_size=100")
    _, blanks = get(client, "/api/v1/cases?topic=&country=%20&page_size=100")
    assert blanks == everything
    _, budget = get(client, "/api/v1/cases?topic=budget&page_size=100")
    _, twice = get(client, "/api/v1/cases?topic=budget&topic=budget&topic=&page_size=100")
    assert twice == budget and budget["count"] < everything["count"]
    for path in ("/api/v1/cases", "/api/v1/search"):
        response = client.get(path, {"topic": ["budget"] * 21})
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "topic", "code": "too_many", "message": "At most 20 values."}]


def test_pagination_is_stable_and_complete(client):
    _, first = get(client, "/api/v1/cases", page_size=5, page=1)
    _, second = get(client, "/api/v1/cases", page_size=5, page=2)
    _, everything = get(client, "/api/v1/cases", page_size=100)
    ids = [item["id"] for item in first["results"] + second["results"]]
    assert ids == [item["id"] for item in everything["results"]][:10]
    _, beyond = get(client, "/api/v1/cases", page_size=5, page=99)
    assert beyond["results"] == [] and beyond["count"] == everything["count"]


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("page_size=101", "page_size", "less_than_equal"),
        ("page_size=0", "page_size", "greater_than_equal"),
        ("page=abc", "page", "int_parsing"),
        ("locale=xx", "locale", "unknown_locale"),
        ("topic=not-a-topic", "topic", "unknown_code"),
        ("country=ZZ", "country", "unknown_code"),
        ("stage=decision&stage=nope", "stage", "unknown_code"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(client, query, field, code):
    response = client.get(f"/api/v1/cases?{query}")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and errors[0]["code"] == code and errors[0]["message"]


def test_missing_things_are_404_in_the_error_shape(client, ru):
    for url in ("/api/v1/cases/999999", "/api/v1/sections/999999", "/api/v1/taxonomies/colours"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"
    section = ManualSectionPage.objects.filter(locale__language_code="en").first()
    assert client.get(f"/api/v1/cases/{section.pk}").status_code == 404, "a section is not a case"


def test_sections_tree_and_detail(client, ru):
    _, tree = get(client, "/api/v1/sections", locale="ru")
    assert tree["count"] >= 6
    nested = [node for node in tree["results"] if node["children"]]
    assert nested, "sub-sections appear as children"
    child = nested[0]["children"][0]
    assert child["locale"] == "ru" and CYRILLIC.search(child["title"]) and "en" in child["translations"]

    _, detail = get(client, f"/api/v1/sections/{nested[0]['id']}")
    assert detail["children"][0]["id"] == child["id"]
    types = {block["type"] for block in detail["body"]}
    assert types and types <= {
        "heading",
        "paragraph",
        "quote",
        "image",
        "callout",
        "table",
        "document",
        "embed",
        "case_reference",
    }


def test_taxonomies_answer_labels_in_the_requested_locale(client):
    _, ru = get(client, "/api/v1/taxonomies/participation-levels", locale="ru")
    _, en = get(client, "/api/v1/taxonomies/participation-levels", locale="en")
    assert [t["code"] for t in ru["results"]] == ["inform", "consult", "involve", "collaborate", "empower"]
    assert [t["code"] for t in en["results"]] == [t["code"] for t in ru["results"]]
    assert ru["results"][0]["label"] == "Информирование" and en["results"][0]["label"] == "Inform"
    _, countries = get(client, "/api/v1/taxonomies/countries", locale="ru")
    spain = next(c for c in countries["results"] if c["code"] == "ES")
    assert spain["label"] == "Испания"
    for kind in ("topics", "tools", "government-levels", "stages"):
        assert client.get(f"/api/v1/taxonomies/{kind}").json()["count"] >= 4


def test_locales(client):
    _, body = get(client, "/api/v1/locales")
    assert [(item["code"], item["default"]) for item in body["results"]] == [("en", True), ("ru", False)]


def test_etag_and_304(client):
    response = client.get("/api/v1/cases?locale=ru")
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert "max-age=" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    again = client.get("/api/v1/cases?locale=ru", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/cases?locale=en", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_cors_follows_the_setting(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://front.example.eu"]
    allowed = client.get("/api/v1/locales", HTTP_ORIGIN="https://front.example.eu")
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://front.example.eu"
    other = client.get("/api/v1/locales", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other.headers


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_page_size(client):
    # Warm the per-process caches (Wagtail's site root paths, taxonomy labels) like a running server.
    for locale in ("en", "ru"):
        client.get(f"/api/v1/cases?page_size=1&locale={locale}")
    assert count_queries(client, "/api/v1/cases?page_size=1") == count_queries(client, "/api/v1/cases?page_size=50")
    assert count_queries(client, "/api/v1/cases?page_size=1&locale=ru&topic=budget") == count_queries(
        client, "/api/v1/cases?page_size=50&locale=ru&topic=budget"
    )


def test_openapi_and_docs_work_offline(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/sections",
        "/api/v1/sections/{section_id}",
        "/api/v1/taxonomies/{kind}",
        "/api/v1/locales",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/cases"]["get"]["parameters"]}
    assert {
        "locale",
        "country",
        "topic",
        "tool",
        "participation_level",
        "government_level",
        "stage",
        "page",
        "page_size",
    } <= params
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', docs.content.decode())
    assert external == [], "the docs page loads nothing from outside"
