"""Lists a front end can page and shape: next/previous, fields=, child_of, type, ordering, card fields."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder
from wagtail.images import get_image_model
from wagtail.models import Page

from manual import schemas
from manual.models import CaseStudyIndexPage, CaseStudyPage, ManualHomePage, ManualSectionPage
from tests.support.factories import ManualSectionPageFactory
from tests.support.samples import make_image

pytestmark = pytest.mark.django_db


def get(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def refused(client, url: str, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def query_of(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url  # absolute
    return parse_qs(parts.query)


def ids(body: dict) -> list[int]:
    return [item["id"] for item in body["results"]]


# --- next and previous ---------------------------------------------------------------------------


def test_next_and_previous_at_the_first_middle_and_last_page(client):
    count = get(client, "/api/v1/cases", page_size=100)["count"]
    assert count > 10
    last = -(-count // 5)
    first = get(client, "/api/v1/cases", page_size=5)
    assert first["previous"] is None
    assert query_of(first["next"]) == {"page_size": ["5"], "page": ["2"]}
    middle = get(client, "/api/v1/cases", page_size=5, page=2)
    assert query_of(middle["previous"])["page"] == ["1"] and query_of(middle["next"])["page"] == ["3"]
    final = get(client, "/api/v1/cases", page_size=5, page=last)
    assert final["next"] is None and query_of(final["previous"])["page"] == [str(last - 1)]
    # Following `next` from the first page visits every case once, in order.
    seen, url = [], "/api/v1/cases?page_size=5"
    while url:
        body = client.get(url).json()
        seen += ids(body)
        url = body["next"]
    assert seen == ids(get(client, "/api/v1/cases", page_size=100))


def test_links_keep_the_other_parameters(client):
    params = {"locale": "ru", "topic": ["budget", "urban-planning"], "ordering": "-start_year", "page_size": 2}
    body = get(client, "/api/v1/cases", fields="title", **params)
    assert body["count"] > 2
    assert query_of(body["next"]) == {
        "locale": ["ru"],
        "topic": ["budget", "urban-planning"],
        "ordering": ["-start_year"],
        "page_size": ["2"],
        "fields": ["title"],
        "page": ["2"],
    }
    followed = client.get(body["next"]).json()
    assert ids(followed) == ids(get(client, "/api/v1/cases", fields="title", page=2, **params))


def test_a_page_past_the_end_links_back_to_the_last_one(client):
    count = get(client, "/api/v1/cases", page_size=100)["count"]
    beyond = get(client, "/api/v1/cases", page_size=5, page=99)
    assert beyond["results"] == [] and beyond["next"] is None
    assert query_of(beyond["previous"])["page"] == [str(-(-count // 5))]
    alone = get(client, "/api/v1/cases", page_size=100)
    assert alone["next"] is None and alone["previous"] is None


def test_every_list_answer_has_next_and_previous(client):
    for url in ("/api/v1/sections", "/api/v1/taxonomies/topics", "/api/v1/taxonomies/countries", "/api/v1/locales"):
        body = get(client, url)
        assert body["next"] is None and body["previous"] is None and body["count"] >= len(body["results"]) > 0, url
    suggest = get(client, "/api/v1/search/suggest", q="dec")
    assert suggest["next"] is None and suggest["previous"] is None
    status = get(client, "/api/v1/translations/status", page_size=1)
    assert status["count"] > 1 and query_of(status["next"])["page"] == ["2"] and status["previous"] is None


def test_search_answers_next_and_previous_with_its_parameters(client, settings):
    settings.SEARCH_URL = ""  # the database driver
    first = get(client, "/api/v1/search", q="", type="case_study", page_size=2)
    assert first["count"] > 4 and first["previous"] is None
    assert query_of(first["next"]) == {"type": ["case_study"], "page_size": ["2"], "page": ["2"]}
    second = client.get(first["next"]).json()
    assert query_of(second["previous"])["page"] == ["1"]
    assert not set(ids(first)) & set(ids(second))
    # No next page past the deepest one search serves (page × page_size ≤ 10,000).
    deepest = get(client, "/api/v1/search", q="", page_size=100, page=100)
    assert deepest["next"] is None


# --- fields= -------------------------------------------------------------------------------------


def test_fields_selects_the_items_fields(client):
    chosen = get(client, "/api/v1/cases", fields="title,thumbnail", page_size=3)
    for item in chosen["results"]:
        assert set(item) == {"id", "type", "url", "title", "thumbnail"}
    every = get(client, "/api/v1/cases", page_size=3)["results"][0]
    assert get(client, "/api/v1/cases", fields="*", page_size=3)["results"][0] == every
    dropped = get(client, "/api/v1/cases", fields="-translations,-summary", page_size=3)["results"][0]
    assert set(dropped) == set(every) - {"translations", "summary"}
    bare = get(client, "/api/v1/cases", fields="_", page_size=3)["results"][0]
    assert set(bare) == {"id", "type", "url"}
    # The ever-present fields cannot be removed.
    assert set(get(client, "/api/v1/cases", fields="-id,-url,title")["results"][0]) == {"id", "type", "url", "title"}
    pages = get(client, "/api/v1/pages", fields="title", page_size=3)["results"]
    assert all(set(item) == {"id", "type", "url", "title"} for item in pages)


@pytest.mark.parametrize("route", ["/api/v1/cases", "/api/v1/pages"])
@pytest.mark.parametrize("fields", ["title,colour", "-colour", "colour", "title,country.name"])
def test_an_unknown_field_is_a_400_naming_fields_and_the_name(client, route, fields):
    (error,) = refused(client, route, fields=fields)
    assert error["field"] == "fields" and error["code"] == "unknown_field"
    unknown = fields.split(",")[-1].removeprefix("-")
    assert repr(unknown) in error["message"] and "title" in error["message"]  # names it, lists the known


def test_the_openapi_document_makes_droppable_fields_optional(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("CaseCard", "PageCard"):
        card = schemas[name]
        assert sorted(card["required"]) == ["id", "type", "url"], name
        assert {"title", "translations", "locale"} <= set(card["properties"])
    card = schemas["CaseCard"]["properties"]
    assert {"thumbnail", "coordinates", "region", "start_year", "initiative_status_label"} <= set(card)
    for name in ("CaseList", "PageList", "SectionTree", "TaxonomyList", "SearchOut", "SuggestOut"):
        assert {"count", "next", "previous", "results"} <= set(schemas[name]["required"]), name
    cases = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/cases"]["get"]
    ordering = next(p for p in cases["parameters"] if p["name"] == "ordering")
    assert {"title", "-title", "start_year", "-start_year", "first_published_at", "-first_published_at"} <= set(
        ordering["schema"]["enum"]
    )


# --- child_of and type ---------------------------------------------------------------------------


def test_cases_of_a_case_index_in_its_locale(client, ru):
    index = CaseStudyIndexPage.objects.get(locale=ru)
    body = get(client, "/api/v1/cases", child_of=index.pk, page_size=100)
    assert body["count"] == get(client, "/api/v1/cases", locale="ru", page_size=100)["count"]
    assert {item["locale"] for item in body["results"]} == {"ru"}
    # Asked in another locale, the index's cases are not there.
    assert get(client, "/api/v1/cases", child_of=index.pk, locale="en")["count"] == 0


def test_child_of_must_be_a_published_page_of_the_right_type(client, en):
    case = CaseStudyPage.objects.live().filter(locale=en).first()
    (error,) = refused(client, "/api/v1/cases", child_of=case.pk)
    assert error["field"] == "child_of" and error["code"] == "unknown_parent"
    assert refused(client, "/api/v1/pages", child_of=999_999)[0]["field"] == "child_of"


def test_a_draft_parent_leaks_nothing(client, en):
    chapter = ManualSectionPage.objects.live().filter(locale=en, depth=3).first()
    draft = ManualSectionPageFactory(parent=chapter, title="Zqdraft parent", publish=False, live=False)
    child = ManualSectionPageFactory(parent=Page.objects.get(pk=draft.pk), title="Zqlive child of a draft")
    assert child.live and not draft.live
    (error,) = refused(client, "/api/v1/pages", child_of=draft.pk)
    assert error["field"] == "child_of" and "Zq" not in error["message"]
    under_chapter = get(client, "/api/v1/pages", child_of=chapter.pk, page_size=100)
    assert draft.pk not in ids(under_chapter) and under_chapter["count"] == len(under_chapter["results"])


def test_pages_by_parent_and_type(client, ru):
    home = ManualHomePage.objects.get(locale=ru)
    children = get(client, "/api/v1/pages", child_of=home.pk, page_size=100)
    assert {item["type"] for item in children["results"]} == {"section", "case_index"}
    assert all(item["locale"] == "ru" for item in children["results"])  # the parent's locale by default
    chapters = get(client, "/api/v1/pages", child_of=home.pk, type="section", page_size=100)
    expected = ManualSectionPage.objects.live().filter(locale=ru, depth=3, alias_of__isnull=True).order_by("path")
    assert ids(chapters) == [page.pk for page in expected]
    cases = get(client, "/api/v1/pages", type="case_study", locale="ru", page_size=100)
    assert cases["count"] == get(client, "/api/v1/cases", locale="ru")["count"]
    every = get(client, "/api/v1/pages", locale="ru", page_size=100)
    assert home.pk in ids(every) and 1 not in ids(every)  # Wagtail's root is no page of the manual
    (error,) = refused(client, "/api/v1/pages", type="manual.Colour")
    assert error["field"] == "type" and error["code"] == "unknown_type"


# --- ordering ------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["start_year", "first_published_at", "last_published_at"])
def test_ordering(client, en, field):
    cases = CaseStudyPage.objects.live().filter(locale=en, alias_of__isnull=True)
    up = get(client, "/api/v1/cases", ordering=field, page_size=100, fields=f"{field},title")["results"]
    down = get(client, "/api/v1/cases", ordering=f"-{field}", page_size=100, fields=f"{field},title")["results"]
    assert len(up) == cases.count()
    values = [item[field] for item in up]  # numbers, or timestamps of one ISO format
    assert len(set(values)) > 1
    assert values == sorted(values) and [item[field] for item in down] == sorted(values, reverse=True)
    # Ties are broken the same way on every page: paging through visits each case once.
    paged = [
        item["id"]
        for page in (1, 2, 3)
        for item in get(client, "/api/v1/cases", ordering=field, page_size=5, page=page)["results"]
    ]
    assert paged == [item["id"] for item in up][:15]


def test_default_ordering_is_by_title_and_unknown_orderings_are_refused(client):
    default = ids(get(client, "/api/v1/cases", page_size=100))
    assert default == ids(get(client, "/api/v1/cases", ordering="title", page_size=100))
    assert default[::-1] == ids(get(client, "/api/v1/cases", ordering="-title", page_size=100))  # titles differ
    (error,) = refused(client, "/api/v1/cases", ordering="population")
    assert error["field"] == "ordering" and error["code"] == "unknown_ordering"


# --- card fields ---------------------------------------------------------------------------------


def with_images(cases) -> object:
    image = get_image_model().objects.create(
        title="Card picture",
        description="Residents voting at a kiosk",
        file=ImageFile(io.BytesIO(make_image(size=(1280, 800))), name="card.png"),
    )
    CaseStudyPage.objects.filter(pk__in=[case.pk for case in cases]).update(hero_image=image)
    return image


@pytest.mark.usefixtures("media_files_cleanup")
def test_cards_carry_what_cards_and_maps_need(client, ru):
    case = CaseStudyPage.objects.live().filter(locale=ru, latitude__isnull=False, region__gt="").first()
    with_images([case])
    body = get(client, "/api/v1/cases", locale="ru", page_size=100)
    item = next(item for item in body["results"] if item["id"] == case.pk)
    assert item["type"] == "case_study"
    assert item["coordinates"] == {"lat": float(case.latitude), "lon": float(case.longitude)}
    assert item["region"] == case.region and item["start_year"] == case.start_year
    labels = {"planned": "Планируется", "ongoing": "Идёт", "completed": "Завершена"}
    assert item["initiative_status_label"] == labels[case.initiative_status]
    thumbnail = item["thumbnail"]
    assert (thumbnail["width"], thumbnail["height"]) == (640, 400)
    assert thumbnail["alt"] == "Residents voting at a kiosk" and thumbnail["url"].endswith(".webp")
    assert client.get(thumbnail["url"]).status_code in {200, 404}  # served by the web server in production
    others = [other for other in body["results"] if other["id"] != case.pk]
    assert all(other["thumbnail"] is None for other in others)
    english = get(client, "/api/v1/cases", locale="en", page_size=1, fields="initiative_status_label")
    assert english["results"][0]["initiative_status_label"] in {"Planned", "Ongoing", "Completed"}


# --- cost ----------------------------------------------------------------------------------------


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("media_files_cleanup")
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases?locale=ru&ordering=-start_year",
        "/api/v1/cases?fields=title,thumbnail,coordinates&topic=budget",
        "/api/v1/pages?locale=ru",
        "/api/v1/pages?type=section",
    ],
)
def test_a_list_costs_the_same_queries_whatever_its_page_size(client, django_assert_num_queries, url):
    with_images(CaseStudyPage.objects.all())
    for size in (2, 20):  # warm the caches (site root paths, labels, content types) and make the renditions
        client.get(f"{url}&page_size={size}")
    expected = queries(client, f"{url}&page_size=2")
    with django_assert_num_queries(expected):
        body = get(client, f"{url}&page_size=20")
    assert len(body["results"]) > 2


@pytest.mark.usefixtures("media_files_cleanup")
def test_cards_without_thumbnails_spare_their_queries(client):
    with_images(CaseStudyPage.objects.all())
    client.get("/api/v1/cases?page_size=20")  # warm the caches and make the renditions
    with_thumbnail = queries(client, "/api/v1/cases?page_size=20&fields=title,thumbnail")
    assert queries(client, "/api/v1/cases?page_size=20&fields=title") == with_thumbnail - 2
    assert queries(client, "/api/v1/cases?page_size=20") == with_thumbnail


# --- unknown parameters --------------------------------------------------------------------------


def test_unknown_parameters_are_still_refused_and_the_new_ones_accepted(client, ru):
    index = CaseStudyIndexPage.objects.get(locale=ru)
    get(client, "/api/v1/cases", child_of=index.pk, ordering="-title", fields="title")
    (error,) = refused(client, "/api/v1/cases", slug="decide-madrid", fields="title")
    assert error["field"] == "slug" and error["code"] == "unknown_parameter"
    assert "child_of" in error["message"] and "ordering" in error["message"] and "fields" in error["message"]
    (error,) = refused(client, "/api/v1/pages", slug="decide-madrid")
    assert error["field"] == "slug" and "type" in error["message"] and "child_of" in error["message"]


# --- the answer as the schema validates it -------------------------------------------------------


@pytest.mark.usefixtures("media_files_cleanup")
@pytest.mark.parametrize(
    "query",
    [
        "page_size=100",
        "locale=ru&page_size=100&fallback=1",
        "locale=ru&topic=budget&ordering=-start_year",
        "fields=title,thumbnail,coordinates&page_size=7&page=2",
        "fields=-summary,-country&locale=ru",
        "fields=_",
    ],
)
def test_the_unvalidated_case_list_is_what_the_schema_validates_it_to(client, query):
    """The route answers ``api_shapes``' dicts without ninja's validation (manual.api.unvalidated):
    they must be what validating them against the documented schema gives, key for key."""
    with_images(CaseStudyPage.objects.live()[:3])
    body = get(client, f"/api/v1/cases?{query}")
    assert body["results"]
    validated = schemas.CaseList.model_validate(body).model_dump(exclude_unset=True)
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == body


@pytest.mark.parametrize(
    "query", ["page_size=100", "locale=ru&fallback=1&page_size=100", "type=case_study&fields=title", "fields=_&page=2"]
)
def test_the_unvalidated_page_list_is_what_the_schema_validates_it_to(client, query):
    body = get(client, f"/api/v1/pages?{query}")
    assert body["results"]
    validated = schemas.PageList.model_validate(body).model_dump(exclude_unset=True)
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == body


# --- the count of an unfiltered list -------------------------------------------------------------


def test_an_unfiltered_count_is_counted_once_per_change_of_the_public_pages(client, en):
    """Kept per generation of the public pages (read_model._unfiltered_count; /cases and /pages): a publication or an
    unpublication shows in the next answer's count; between changes no request counts again."""
    url = "/api/v1/cases?page_size=1"
    before = get(client, url)["count"]
    assert before == CaseStudyPage.objects.live().filter(locale=en).count()
    with CaptureQueriesContext(connection) as captured:
        assert get(client, url)["count"] == before
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)

    pages = "/api/v1/pages?type=case_study&page_size=1"
    listed = get(client, pages)["count"]
    assert listed == before

    case = CaseStudyPage.objects.live().filter(locale=en).order_by("pk").first()
    case.unpublish()
    assert get(client, url)["count"] == get(client, pages)["count"] == before - 1
    case.save_revision().publish()
    assert get(client, url)["count"] == get(client, pages)["count"] == before
    # A filtered list counts every time: its count also follows the terms' links.
    topic = case.topics.first()
    filtered = get(client, url, topic=topic.code)["count"]
    case.topics.remove(topic)
    case.save_revision().publish()
    assert get(client, url, topic=topic.code)["count"] == filtered - 1
