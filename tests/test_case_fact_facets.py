"""The case facts that are categories as facets and filters (issue 14, point 8).

Mode, who could take part, organiser and funder type, whether and by whom a case was evaluated:
each is declared once (``manual.case_facts``), and from that declaration it is a search facet on
both drivers, a filter of ``/api/v1/search``, ``/api/v1/cases`` and the map, one named enum in the
OpenAPI document shared with the submission body, and a facet of the reader's search page with
its labels in the reader's language. The demo manual carries facts, so all of this shows on
``make run``.
"""

from __future__ import annotations

import html
import importlib
from collections import Counter

import pytest
from django.apps import apps
from django.utils import translation
from wagtail.models import Locale

from manual.case_facts import CASE_FACTS, CHOICE, OrganisationType, ParticipationMode
from manual.models import CaseStudyPage
from manual.services.case_filters import filter_cases
from manual.services.read_model import localized_pages
from opendata.services.columns import csv_columns
from search.models import IndexOutbox, SearchDocument

pytestmark = pytest.mark.django_db

CATEGORIES = [fact.name for fact in CASE_FACTS if fact.kind == CHOICE]


def search(client, **params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["degraded"] is False
    return body


def case_facts(locale: Locale) -> list[dict[str, str]]:
    """Each public case of ``locale`` (no aliases, no fallbacks) as fact name -> code ("" when unknown)."""
    cases = CaseStudyPage.objects.live().filter(locale=locale, alias_of__isnull=True)
    return [{name: getattr(case, name) for name in CATEGORIES} for case in cases]


def counted(cases: list[dict[str, str]], name: str) -> dict[str, int]:
    return dict(Counter(case[name] for case in cases if case[name]))


def test_the_demo_manual_carries_facts_in_both_languages(en, ru):
    for locale in (en, ru):
        cases = case_facts(locale)
        assert set(counted(cases, "participation_mode")) == {"online", "hybrid"}
        assert counted(cases, "organiser_type") and counted(cases, "funder_type") and counted(cases, "evaluator")


def test_search_counts_the_fact_facets_disjunctively_on_both_drivers(client, driver, ru):
    cases = case_facts(ru)
    body = search(client, locale="ru", type="case_study", participation_mode="hybrid", organiser_type="government")
    hybrid = [case for case in cases if case["participation_mode"] == "hybrid"]
    by_government = [case for case in cases if case["organiser_type"] == "government"]
    both = [case for case in hybrid if case["organiser_type"] == "government"]
    assert body["count"] == len(both) > 0
    facets = {key: {value["value"]: value["count"] for value in values} for key, values in body["facets"].items()}
    # A facet's own filter is not applied to its counts; the other facets' filters are.
    assert facets["participation_mode"] == counted(by_government, "participation_mode")
    assert facets["organiser_type"] == counted(hybrid, "organiser_type")
    for name in ("eligibility", "funder_type", "evaluated", "evaluator"):
        assert facets[name] == counted(both, name), name
    with translation.override("ru"):
        hybrid_label = str(ParticipationMode.HYBRID.label)
    assert hybrid_label != "Hybrid (online and in person)", "the label is translated"
    assert {value["value"]: value["label"] for value in body["facets"]["participation_mode"]}["hybrid"] == hybrid_label


def test_the_case_list_takes_the_fact_filters(client, en):
    response = client.get(
        "/api/v1/cases", {"participation_mode": ["online", "in_person"], "organiser_type": "civil_society"}
    )
    assert response.status_code == 200, response.content
    expected = filter_cases(
        localized_pages(CaseStudyPage, en, False),
        {"participation_mode": ["online", "in_person"], "organiser_type": ["civil_society"]},
    )
    assert sorted(item["id"] for item in response.json()["results"]) == sorted(expected.values_list("pk", flat=True))
    assert response.json()["count"] == expected.count() > 0


@pytest.mark.parametrize("url", ["/api/v1/search", "/api/v1/cases"])
@pytest.mark.parametrize("name", ["participation_mode", "evaluator"])
def test_an_unknown_fact_code_is_a_400_naming_the_filter(client, url, name):
    response = client.get(url, {name: ["online", "<teleport>"] if name == "participation_mode" else "astrologer"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == name and error["code"] == "unknown_code" and "Unknown" in error["message"]


def test_the_openapi_document_names_each_fact_enum_once_for_parameters_and_body(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["ParticipationMode"]["enum"] == list(ParticipationMode.values)
    assert schemas["OrganisationType"]["enum"] == list(OrganisationType.values)
    for path in ("/api/v1/search", "/api/v1/cases"):
        parameters = {parameter["name"]: parameter for parameter in document["paths"][path]["get"]["parameters"]}
        for name, schema in (
            ("participation_mode", "ParticipationMode"),
            ("organiser_type", "OrganisationType"),
            ("funder_type", "OrganisationType"),
            ("evaluator", "Evaluator"),
        ):
            parameter = parameters[name]["schema"]
            assert parameter["type"] == "array", (path, name)
            assert parameter["items"] == {"$ref": f"#/components/schemas/{schema}"}, (path, name)
            assert "examples" not in parameters[name]
    submission = document["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]
    body = submission["schema"]["properties"]["participation_mode"]
    assert "#/components/schemas/ParticipationMode" in [branch.get("$ref") for branch in body["anyOf"]], "one enum"
    assert (
        "participation-mode"
        not in document["paths"]["/api/v1/taxonomies/{kind}"]["get"]["parameters"][0]["schema"]["enum"]
    ), "a fact has no terms to list"


def test_the_reader_search_page_offers_the_fact_facets_in_its_language(client, ru):
    response = client.get("/ru/search/", {"participation_mode": "online"})
    assert response.status_code == 200
    body = response.content.decode()
    online = [case for case in case_facts(ru) if case["participation_mode"] == "online"]
    with translation.override("ru"):
        title, label = str(CASE_FACTS[1].label), str(ParticipationMode.ONLINE.label)
        government = str(OrganisationType.GOVERNMENT.label)
    assert f"<legend>{html.escape(title)}</legend>" in body
    assert 'name="participation_mode" value="online" checked' in body
    assert f"{html.escape(label)} (" in body and f"{html.escape(government)} (" in body
    assert response.context["count"] == len(online) > 0


def test_the_map_filters_by_a_fact(client, en):
    response = client.get("/en/map/", {"eligibility": "open", "participation_mode": "online"})
    assert response.status_code == 200
    expected = filter_cases(
        localized_pages(CaseStudyPage, en, True), {"eligibility": ["open"], "participation_mode": ["online"]}
    )
    body = response.content.decode()
    assert expected.count() > 0
    for case in expected:
        assert html.escape(case.title) in body
    assert 'name="participation_mode" value="online" checked' in body


def test_the_dumps_write_each_fact_once(en):
    names = [column.name for column in csv_columns()]
    assert len(names) == len(set(names))
    for name in CATEGORIES:
        assert names.count(name) == 1 and names.count(f"{name}_label") == 1


def test_the_mapping_upgrade_queues_every_indexed_page_for_its_new_facets():
    migration = importlib.import_module("search.migrations.0004_case_fact_facets")
    IndexOutbox.objects.all().delete()
    migration.queue_indexed_pages(apps, None)
    keys = set(SearchDocument.objects.values_list("translation_key", flat=True))
    assert keys and sorted(str(row.translation_key) for row in IndexOutbox.objects.all()) == sorted(map(str, keys))
