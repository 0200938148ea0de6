"""One declaration, every use: the "audiences" kind of ``tests.taxonomy_app`` reaches them all.

``models.CASE_FILTERS`` declares the kind and nothing else in the project names it. These tests run
only with ``tests.taxonomy_app.settings`` (the app installed, its migration applied):
``tests/test_taxonomy_registry.py`` runs this file in a process of its own, and the suite does not
collect it (its name is not ``test_*.py``), because its model exists only where the app is installed.
"""

from __future__ import annotations

import csv
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from manual.models import CaseStudyPage
from manual.services.reader import classification_headings
from manual.services.review import EDITORS, TRANSLATORS, ensure_roles
from manual.services.taxonomies import label_lookup
from manual.services.translation_status import term_translation_status
from manual.services.translations import terms_used_by
from opendata.services.codebook import codebook_rows, record_schema
from opendata.services.dumps import export_cases
from search.documents import build_documents
from search.mapping import index_body
from search.registry import facet_keys, facets
from submissions.forms import SubmissionForm, build_document
from submissions.models import Submission
from submissions.services.imports import import_format_schema
from tests.support.openapi import inline_refs
from tests.support.submissions import post_json, valid_payload
from tests.taxonomy_app.models import Audience

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(en, ru) -> CaseStudyPage:
    """Two audiences, one translated into Russian; a published English case addresses young people."""
    youth = Audience.objects.create(code="youth", label="Young people", locale=en, sort_order=0)
    Audience.objects.create(
        code="youth", label="Молодёжь", locale=ru, sort_order=0, translation_key=youth.translation_key
    )
    Audience.objects.create(code="older-people", label="Older people", locale=en, sort_order=1)
    case = CaseStudyPage.objects.live().filter(locale=en).order_by("pk").first()
    youth.cases.add(case)
    return case


def test_the_case_list_filters_by_the_kind(client, case):
    response = client.get("/api/v1/cases", {"audience": "youth"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [case.pk]
    assert client.get("/api/v1/cases", {"audience": "older-people"}).json()["count"] == 0


def test_an_unknown_code_is_refused_in_the_same_words_by_the_filter_and_the_submission(client, case):
    listed = client.get("/api/v1/cases", {"audience": "pets"})
    assert listed.status_code == 400
    [error] = listed.json()["errors"]
    assert (error["field"], error["code"], error["message"]) == (
        "audience",
        "unknown_code",
        "Unknown audience code(s): 'pets'.",
    )
    submitted = post_json(client, valid_payload(audiences=["youth", "pets"]))
    assert submitted.status_code == 400
    refusals = [item for item in submitted.json()["errors"] if item["field"] == "audiences"]
    assert refusals == [{"field": "audiences", "code": "unknown_code", "message": error["message"]}]


def test_a_submission_must_classify_by_the_kind_and_keeps_it(client, case):
    missing = post_json(client, valid_payload())
    assert missing.status_code == 400
    assert {"field": "audiences", "code": "required"} in [
        {"field": item["field"], "code": item["code"]} for item in missing.json()["errors"]
    ]
    created = post_json(client, valid_payload(audiences=["older-people", "youth", "youth"]))
    assert created.status_code == 201, created.content
    assert Submission.objects.get(pk=created.json()["id"]).payload["audiences"] == ["older-people", "youth"]


def test_the_openapi_document_states_the_kind(client, case):
    doc = client.get("/api/v1/openapi.json").json()
    parameters = {item["name"]: inline_refs(doc, item) for item in doc["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert parameters["audience"]["description"] == "Audience code; repeat for OR."
    assert parameters["audience"]["schema"]["items"]["enum"] == ["youth", "older-people"]
    [kind] = doc["paths"]["/api/v1/taxonomies/{kind}"]["get"]["parameters"][:1]
    assert "audiences" in kind["schema"]["enum"]
    body = inline_refs(
        doc, doc["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    )
    assert "audiences" in body["required"]
    assert body["properties"]["audiences"]["items"]["enum"] == ["youth", "older-people"]


def test_a_case_in_the_api_has_the_kind_labelled(client, case):
    youth = {"code": "youth", "label": "Young people", "translated": True}
    detail = client.get(f"/api/v1/cases/{case.pk}")
    assert detail.status_code == 200
    assert detail.json()["audiences"] == [youth]
    listed = client.get("/api/v1/cases", {"audience": "youth"}).json()["results"]
    assert [item["audiences"] for item in listed] == [[youth]]
    others = client.get("/api/v1/cases", {"locale": "en"}).json()["results"]
    assert all(item["audiences"] == [] for item in others if item["id"] != case.pk)
    # A field of the case card as soon as it is declared, so `fields=` selects it (core.lists).
    chosen = client.get("/api/v1/cases", {"audience": "youth", "fields": "audiences"}).json()["results"]
    assert chosen == [{"id": case.pk, "url": listed[0]["url"], "type": "case_study", "audiences": [youth]}]


def test_the_openapi_document_shapes_a_case_with_the_kind(client, case):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("CaseCard", "CaseDetail"):
        assert schemas[name]["properties"]["audiences"] == {
            "items": {"$ref": "#/components/schemas/Term"},
            "title": "Audiences",
            "type": "array",
        }
    # Required in a case; optional in the list's card, as every field `fields=` can drop (core.lists).
    assert "audiences" in schemas["CaseDetail"]["required"]
    assert "audiences" not in schemas["CaseCard"]["required"]
    # After the manual's own kinds, before the fields that follow them.
    fields = list(schemas["CaseCard"]["properties"])
    assert fields.index("stages") < fields.index("audiences") < fields.index("start_year")


def test_the_case_page_lists_the_kind_among_its_facts(client, case):
    assert classification_headings()["audiences"] == "Audience"
    html = client.get(case.url).content.decode()
    assert "<dt>Audience</dt><dd>Young people</dd>" in html


def test_the_import_format_has_the_kind(case):
    generated = import_format_schema()["$defs"]["Case"]
    assert "audiences" in generated["required"]
    assert generated["properties"]["audiences"]["type"] == "array"


def test_the_taxonomy_route_lists_the_terms_in_the_requested_language(client, case):
    response = client.get("/api/v1/taxonomies/audiences", {"locale": "ru"})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"code": "youth", "label": "Молодёжь", "description": "", "translated": True},
        {"code": "older-people", "label": "Older people", "description": "", "translated": False},
    ]


def test_the_roles_grant_the_kind_like_every_taxonomy(case):
    groups = ensure_roles()

    def held(name: str) -> set[str]:
        permissions = Permission.objects.filter(group=groups[name], content_type__app_label="taxonomy_app")
        return set(permissions.values_list("codename", flat=True))

    assert held(EDITORS) == {"add_audience", "change_audience", "delete_audience"}
    assert held(TRANSLATORS) == {"change_audience"}


def test_translators_see_the_untranslated_terms_and_a_case_takes_its_terms_along(case):
    untranslated = term_translation_status("ru")["ru"]["untranslated"]
    assert {"kind": "audiences", "code": "older-people", "label": "Older people"} in untranslated
    assert {"kind": "audiences", "code": "youth", "label": "Young people"} not in untranslated
    assert [term.code for term in terms_used_by(case) if isinstance(term, Audience)] == ["youth"]


def test_the_submission_form_offers_the_kind_and_sends_it(case):
    form = SubmissionForm("ru")
    [control] = [item for fieldset in form.fieldsets for item in fieldset.controls if item.name == "audiences"]
    assert (str(control.label), control.kind, control.required) == ("Audience", "checkboxes", True)
    assert control.choices == [("youth", "Молодёжь"), ("older-people", "Older people")]
    posted = form.data.copy()
    posted.setlist("audiences", ["youth"])
    assert build_document(posted, "ru")["audiences"] == ["youth"]


def test_saving_a_term_refreshes_its_labels(case):
    assert label_lookup("en").label(Audience, "youth") == "Young people"
    term = Audience.objects.get(code="youth", locale__language_code="en")
    term.label = "Youth"
    term.save()
    assert label_lookup("en").label(Audience, "youth") == "Youth"


def test_the_admin_menu_has_the_kind(admin_client, case):
    response = admin_client.get(reverse("wagtailsnippets_taxonomy_app_audience:list"))
    assert response.status_code == 200
    assert "Young people" in response.content.decode()


def test_search_indexes_filters_and_labels_the_kind(client, case):
    assert "audience" in facet_keys()
    assert index_body("en")["mappings"]["properties"]["audience"] == {"type": "keyword"}
    [document] = [item for item in build_documents([case.pk]) if item["locale"] == "en"]
    assert document["audience"] == ["youth"]
    refused = client.get("/api/v1/search", {"audience": "pets"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "audience"
    [facet] = [item for item in facets() if item.key == "audience"]
    assert facet.labels("ru")("youth") == "Молодёжь"


def test_the_open_data_has_the_kind_in_every_dump_the_codebook_and_the_schema(case, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path
    export_cases()
    records = json.loads((tmp_path / "cases.json").read_text(encoding="utf-8"))["cases"]
    [record] = [item for item in records if item["page_id"] == case.pk]
    assert record["audiences"] == ["youth"] and record["labels"]["audiences"] == ["Young people"]
    with (tmp_path / "cases.csv").open(encoding="utf-8") as rows:
        [row] = [row for row in csv.DictReader(rows) if row["page_id"] == str(case.pk)]
    assert (row["audiences"], row["audiences_labels"]) == ("youth", "Young people")
    coded = {(row[0], row[3]): row for row in codebook_rows()}
    assert coded["audiences", "youth"][4:] == ["Young people", "Молодёжь"]
    assert "audiences" in record_schema("https://example.org/schema.json")["properties"]
