"""Routing by URL (issue 14, point 2): a front end finds the page a reader's path shows, and a
query parameter no route declares is a 400 naming it rather than silently ignored."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from manual.models import CaseStudyIndexPage, CaseStudyPage, ManualHomePage, ManualSectionPage
from tests.support.factories import CaseStudyPageFactory
from tests.support.translations import live_alias_case

pytestmark = pytest.mark.django_db

FIND = "/api/v1/pages/find"
# A value for each path parameter of the OpenAPI document: enough to reach the operation.
PATH_VALUES = {"{case_id}": "1", "{section_id}": "1", "{kind}": "topics", "{submission_id}": "1"}


def get_operations(client) -> list[tuple[str, dict]]:
    document = client.get("/api/v1/openapi.json").json()
    return [(path, item["get"]) for path, item in document["paths"].items() if "get" in item]


def reachable(path: str) -> str:
    for placeholder, value in PATH_VALUES.items():
        path = path.replace(placeholder, value)
    assert "{" not in path, f"give {path} a value in PATH_VALUES"
    return path


def test_every_get_route_answers_an_unknown_parameter_with_a_documented_400(client):
    operations = get_operations(client)
    assert len(operations) >= 10
    for path, operation in operations:
        assert "400" in operation["responses"], f"{path} does not document its 400"
        response = client.get(reachable(path), {"unheard_of": "1"})
        assert response.status_code == 400, path
        assert response.json()["errors"] == [
            {"field": "unheard_of", "code": "unknown_parameter", "message": response.json()["errors"][0]["message"]}
        ], path


def test_every_documented_query_parameter_is_known(client):
    """The parameters known are the operation's own: none of those it documents is called unknown."""
    for path, operation in get_operations(client):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            response = client.get(reachable(path), {parameter["name"]: "1"})
            codes = (
                [error["code"] for error in response.json().get("errors", [])] if response.status_code >= 400 else []
            )
            assert "unknown_parameter" not in codes, (path, parameter["name"])


def test_a_filter_the_route_does_not_take_is_refused_not_ignored(client):
    response = client.get("/api/v1/cases?slug=decide-madrid&colour=red&locale=en")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("slug", "unknown_parameter"), ("colour", "unknown_parameter")]
    assert "topic" in errors[0]["message"] and "page_size" in errors[0]["message"]
    assert (
        client.get("/api/v1/locales?x=1").json()["errors"][0]["message"] == "Unknown parameter; this route takes none."
    )


def test_the_submission_status_still_takes_its_token(client):
    response = client.get("/api/v1/submissions/1?token=not-the-token")
    assert response.status_code == 404  # the token is known; it just opens nothing


def found(client, path: str) -> dict:
    response = client.get(FIND, {"path": path})
    assert response.status_code == 200, (path, response.content)
    return response.json()


def test_a_case_path_answers_the_case_detail(client, ru):
    case = CaseStudyPage.objects.get(slug="decide-madrid", locale=ru)
    answer = found(client, "/ru/cases/decide-madrid/")
    assert answer["type"] == "case_study" and answer["id"] == case.pk
    assert answer["detail"] == client.get(f"/api/v1/cases/{case.pk}").json()
    assert found(client, "/ru/cases/decide-madrid")["id"] == case.pk, "as the reader's URL without its slash"


def test_a_section_path_answers_the_section_detail(client, en):
    section = ManualSectionPage.objects.live().filter(locale=en).order_by("path").first()
    answer = found(client, section.url)
    assert answer["type"] == "section" and answer["id"] == section.pk
    assert answer["detail"] == client.get(f"/api/v1/sections/{section.pk}").json()


def test_home_and_case_index_answer_their_item(client, ru):
    home = found(client, "/ru/")
    assert home["type"] == "home" and home["id"] == ManualHomePage.objects.get(locale=ru).pk
    assert home["detail"]["url"] == "/ru/" and "en" in home["detail"]["translations"]
    index = found(client, "/en/cases/")
    assert (
        index["type"] == "case_index" and index["id"] == CaseStudyIndexPage.objects.get(locale__language_code="en").pk
    )


@pytest.mark.parametrize("path", ["/en/no-such-page/", "/xx/cases/", "/", "/ru/cases/decide-madrid/extra/"])
def test_no_public_page_there_is_a_404_naming_path(client, path):
    response = client.get(FIND, {"path": path})
    assert response.status_code == 404
    assert response.json()["errors"][0] == {
        "field": "path",
        "code": "not_found",
        "message": "No published page has this path.",
    }


def test_drafts_and_alias_stand_ins_are_not_found(client, en, ru):
    CaseStudyPageFactory(slug="draft-only").unpublish()
    assert not Page.objects.get(slug="draft-only", locale=en).live
    assert client.get(FIND, {"path": "/en/cases/draft-only/"}).status_code == 404
    live_alias_case(ru, "aliased")
    assert found(client, "/en/cases/aliased/")["type"] == "case_study"
    assert client.get(FIND, {"path": "/ru/cases/aliased/"}).status_code == 404, "a live alias is not public content"


@pytest.mark.parametrize(
    ("query", "code"),
    [({}, "missing"), ({"path": "ru/cases/"}, "invalid"), ({"path": "/" + "a" * 2048}, "string_too_long")],
)
def test_an_invalid_path_is_a_400_naming_path(client, query, code):
    response = client.get(FIND, query)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "path" and error["code"] == code and error["message"]


def queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_finding_costs_a_constant_few_queries_over_the_detail(client):
    # Warm the per-process caches (Wagtail's site root paths, taxonomy labels) like a running server.
    for path in ("/en/", "/ru/cases/decide-madrid/"):
        found(client, path)
    pages = [
        *CaseStudyPage.objects.live().filter(slug__in=["decide-madrid", "better-reykjavik"]),
        *ManualSectionPage.objects.live().order_by("path")[:4],
    ]
    overheads = set()
    for page in pages:
        route = "cases" if isinstance(page, CaseStudyPage) else "sections"
        client.get(f"/api/v1/{route}/{page.pk}")  # renditions of its images made once, as in service
        overhead = queries(client, FIND, path=page.url) - queries(client, f"/api/v1/{route}/{page.pk}")
        overheads.add(overhead)
        print("pages/find queries:", page.url, queries(client, FIND, path=page.url), "overhead", overhead)
    assert overheads == {FIND_OVERHEAD}, overheads
    print("pages/find queries: home", queries(client, FIND, path="/en/"))


FIND_OVERHEAD = 1  # the page at the path; the site and its root paths come from caches


def test_messages_follow_accept_language_and_codes_do_not(client):
    errors = client.get("/api/v1/locales?x=1", HTTP_ACCEPT_LANGUAGE="ru").json()["errors"]
    assert errors == [
        {
            "field": "x",
            "code": "unknown_parameter",
            "message": "Неизвестный параметр; этот маршрут не принимает параметров.",
        }
    ]
    errors = client.get(FIND, {"path": "/en/nowhere/"}, HTTP_ACCEPT_LANGUAGE="ru").json()["errors"]
    assert errors[0]["message"] == "Ни одна опубликованная страница не имеет этого пути."
