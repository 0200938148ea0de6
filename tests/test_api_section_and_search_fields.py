"""`fields=` on the sections tree and on search results, and `child_of` on the sections tree.

Both reuse the lists' one reading of `fields=` (``core.lists.select_fields``): `id` and `url` stay
whatever is asked; an unknown name is a 400 naming `fields`. A node of the tree keeps its
`children`, so the tree keeps its shape.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manual.models import ManualSectionPage

pytestmark = pytest.mark.django_db


def get(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def refused(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    return error


def walk(nodes: list[dict]) -> list[dict]:
    return [found for node in nodes for found in (node, *walk(node["children"]))]


def test_fields_select_the_fields_of_every_node_of_the_tree(client):
    every = get(client, "/api/v1/sections", locale="ru")
    titles = get(client, "/api/v1/sections", locale="ru", fields="title")
    assert titles["count"] == every["count"] == len(walk(every["results"]))
    assert [set(node) for node in walk(titles["results"])] == [{"id", "url", "title", "children"}] * titles["count"]
    assert [(node["id"], node["title"]) for node in walk(titles["results"])] == [
        (node["id"], node["title"]) for node in walk(every["results"])
    ]
    dropped = get(client, "/api/v1/sections", locale="ru", fields="-intro,-translations")
    assert set(walk(dropped["results"])[0]) == set(walk(every["results"])[0]) - {"intro", "translations"}


def test_an_unknown_field_of_a_section_is_a_400_naming_fields(client):
    error = refused(client, "/api/v1/sections", fields="title,body")
    assert error["field"] == "fields" and error["code"] == "unknown_field" and "'body'" in error["message"]


def test_child_of_answers_the_sub_tree_of_a_section_in_the_locale_asked(client):
    every = get(client, "/api/v1/sections", locale="ru")
    top = next(node for node in every["results"] if node["children"])
    english = ManualSectionPage.objects.get(
        translation_key=top["translation_key"], locale__language_code="en", alias_of__isnull=True
    )
    below = get(client, "/api/v1/sections", locale="ru", child_of=english.pk, fields="title")
    assert [node["id"] for node in below["results"]] == [child["id"] for child in top["children"]]
    assert below["count"] == len(walk(top["children"]))
    # Without `locale`, the tree of the section's own locale.
    own = get(client, "/api/v1/sections", child_of=english.pk)
    assert own["count"] == below["count"] and all(node["locale"] == "en" for node in walk(own["results"]))


def test_child_of_a_page_that_is_not_a_published_section_is_a_400(client):
    case_page = get(client, "/api/v1/cases", page_size=1)["results"][0]
    for wrong in (case_page["id"], 999_999):
        error = refused(client, "/api/v1/sections", child_of=wrong)
        assert error["field"] == "child_of" and error["code"] == "unknown_parent"


def test_the_tree_costs_the_same_queries_with_or_without_child_of_and_fields(client):
    top = get(client, "/api/v1/sections", locale="en")["results"][0]
    counts = []
    for params in ({"locale": "en"}, {"child_of": top["id"], "fields": "title"}):
        with CaptureQueriesContext(connection) as queries:
            get(client, "/api/v1/sections", **params)
        counts.append(len(queries))
    assert counts[1] <= counts[0] + 1, counts  # child_of reads its section once


def test_fields_select_the_fields_of_each_search_hit(client):
    every = get(client, "/api/v1/search", q="budget", locale="en")
    lean = get(client, "/api/v1/search", q="budget", locale="en", fields="title")
    assert lean["count"] == every["count"] > 0 and lean["facets"] == every["facets"]
    assert [set(hit) for hit in lean["results"]] == [{"id", "type", "url", "title"}] * len(lean["results"])
    assert [hit["id"] for hit in lean["results"]] == [hit["id"] for hit in every["results"]]
    error = refused(client, "/api/v1/search", q="budget", fields="score")
    assert error["field"] == "fields" and error["code"] == "unknown_field"


def test_the_openapi_document_states_fields_and_child_of(client):
    document = client.get("/api/v1/openapi.json").json()
    sections = {parameter["name"] for parameter in document["paths"]["/api/v1/sections"]["get"]["parameters"]}
    assert {"child_of", "fields", "locale", "fallback"} <= sections
    search = {parameter["name"]: parameter for parameter in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert "example" in search["fields"] and "examples" not in search["fields"]
    schemas = document["components"]["schemas"]
    assert set(schemas["SectionNode"]["required"]) == {"id", "url", "children"}
    assert set(schemas["SearchHitOut"]["required"]) == {"id", "type", "url"}
