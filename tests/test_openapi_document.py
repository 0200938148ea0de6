"""The OpenAPI document tells the truth: what it allows is accepted, what it refuses is stated.

scripts/fuzz-api.sh proves the served API against this document with Schemathesis; these tests
pin the parts of the document a client relies on: the accepted codes (from the database and
settings, at the time the document is served), the bounds, the multipart shape of a submission and
its links, and the API's JSON 404 for any address under /api/.
"""

import json
import re

import pytest
from django.test import override_settings

from core.api_errors import MAX_ID
from manual.models import Topic
from manual.services.taxonomies import COUNTRY_CODES, TAXONOMY_KINDS, default_locale_terms
from tests.support.openapi import inline_refs
from tests.support.submissions import post_json, valid_payload

pytestmark = pytest.mark.django_db


def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def parameter(doc: dict, path: str, name: str, method: str = "get") -> dict:
    return inline_refs(doc, next(p for p in doc["paths"][path][method]["parameters"] if p["name"] == name)["schema"])


def json_body(doc: dict) -> dict:
    schema = doc["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return inline_refs(doc, schema)


def string_branch(schema: dict) -> dict:
    return next(branch for branch in schema.get("anyOf", [schema]) if branch.get("type") == "string")


def test_filters_list_exactly_the_codes_the_validators_accept(client):
    doc = document(client)
    for kind in TAXONOMY_KINDS:
        codes = list(default_locale_terms(kind.model).values_list("code", flat=True))
        for path in ("/api/v1/cases", "/api/v1/search"):
            assert parameter(doc, path, kind.key)["items"]["enum"] == codes, (path, kind.key)
    assert set(parameter(doc, "/api/v1/cases", "country")["items"]["enum"]) == COUNTRY_CODES
    assert string_branch(parameter(doc, "/api/v1/cases", "locale"))["enum"] == ["en", "ru"]
    # Every listed code is accepted: a client built from the document is never refused for it.
    topics = parameter(doc, "/api/v1/cases", "topic")["items"]["enum"]
    response = client.get("/api/v1/cases", {"topic": topics, "locale": "ru"})
    assert response.status_code == 200


def test_a_term_added_by_an_editor_is_in_the_next_document(client, en):
    Topic.objects.create(code="water", label="Water", locale=en, sort_order=99)
    doc = document(client)
    assert "water" in parameter(doc, "/api/v1/search", "topic")["items"]["enum"]
    assert "water" in json_body(doc)["properties"]["topics"]["items"]["enum"]


def test_each_code_set_is_one_named_schema_that_routes_and_the_submission_share(client):
    doc = document(client)
    topic = "#/components/schemas/TopicCode"
    for path in ("/api/v1/cases", "/api/v1/search"):
        raw = next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "topic")["schema"]
        assert raw["items"] == {"$ref": topic}, path
        locale = next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "locale")["schema"]
        assert {"$ref": "#/components/schemas/LocaleCode"} in locale["anyOf"], path
    body = doc["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["topics"]["items"] == {"$ref": topic}
    assert doc["components"]["schemas"]["LocaleCode"] == {"type": "string", "enum": ["en", "ru"], "title": "LocaleCode"}


@override_settings(MANUAL_LOCALES=["en", "ru", "de"])
def test_locales_come_from_the_setting(client):
    doc = document(client)
    assert string_branch(parameter(doc, "/api/v1/search", "locale"))["enum"] == ["en", "ru", "de"]


def test_bounds_and_choices_the_validators_enforce_are_stated(client):
    doc = document(client)
    assert parameter(doc, "/api/v1/search", "q")["maxLength"] == 200
    assert parameter(doc, "/api/v1/search", "sort")["enum"] == ["relevance", "newest", "year"]
    assert parameter(doc, "/api/v1/search", "type")["items"]["enum"] == ["case_study", "section"]
    assert parameter(doc, "/api/v1/search", "topic")["maxItems"] == 20
    assert parameter(doc, "/api/v1/search/suggest", "q") | {"minLength": 1, "maxLength": 200} == parameter(
        doc, "/api/v1/search/suggest", "q"
    )
    for path in ("/api/v1/cases", "/api/v1/translations/status"):
        assert parameter(doc, path, "page")["maximum"] == 10_000
    assert parameter(doc, "/api/v1/cases/{case_id}", "case_id")["maximum"] == MAX_ID
    assert "countries" in parameter(doc, "/api/v1/taxonomies/{kind}", "kind")["enum"]
    assert parameter(doc, "/api/v1/translations/status", "type")["enum"] == ["case_study", "section"]


def test_out_of_range_numbers_are_a_400_naming_the_field(client):
    for url, field in (
        ("/api/v1/cases?page=99999999999999999999", "page"),
        ("/api/v1/cases/99999999999999999999", "case_id"),
        ("/api/v1/sections/99999999999999999999", "section_id"),
        ("/api/v1/translations/status?page=999999999999999999", "page"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()["errors"][0]["field"] == field


def test_any_other_api_address_answers_the_json_error_list(client):
    for url in ("/api/v1/cases/null,null", "/api/v1/sections/abc", "/api/v2/cases", "/api/v1/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["errors"][0]["code"] == "not_found"


def test_the_submission_is_documented_as_json_or_multipart_with_links(client):
    doc = document(client)
    create = doc["paths"]["/api/v1/submissions"]["post"]
    content = create["requestBody"]["content"]
    multipart = content["multipart/form-data"]
    # The `data` part is the same document, sent as a JSON part.
    assert (
        multipart["schema"]["properties"]["data"]["properties"] == content["application/json"]["schema"]["properties"]
    )
    assert multipart["encoding"]["data"]["contentType"] == "application/json"
    assert multipart["schema"]["properties"]["attachments"]["maxItems"] == 10
    body = json_body(doc)
    assert set(body["required"]) >= {"locale", "title", "body", "contact", "consent"}
    assert body["properties"]["country"]["enum"] == sorted(COUNTRY_CODES)
    assert {"400", "409", "413", "415", "429"} <= set(create["responses"])
    assert create["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorList"
    }
    links = create["responses"]["201"]["links"]
    status_link = links["GetSubmissionStatus"]
    assert status_link["operationId"] == doc["paths"]["/api/v1/submissions/{submission_id}"]["get"]["operationId"]
    assert status_link["parameters"]["submission_id"] == "$response.body#/id"


def test_the_link_extracts_a_token_that_opens_the_status_page(client):
    """The regex of the 201's link (what Schemathesis follows) cuts the real token out of `status_url`."""
    created = post_json(client, valid_payload())
    assert created.status_code == 201
    doc = document(client)
    expression = doc["paths"]["/api/v1/submissions"]["post"]["responses"]["201"]["links"]["GetSubmissionStatus"]
    pattern = expression["parameters"]["token"].split("#regex:", 1)[1]
    token = re.search(pattern, created.json()["status_url"]).group(1)
    response = client.get(f"/api/v1/submissions/{created.json()['id']}", {"token": token})
    assert response.status_code == 200
    assert json.loads(response.content)["id"] == created.json()["id"]


def test_a_huge_case_id_to_update_is_a_400_naming_the_field(client):
    """Found by scripts/fuzz-api.sh: `updates_case` past 2^31-1 was a 500 (SQLite integer overflow)."""
    response = post_json(client, valid_payload(updates_case=10**20))
    assert response.status_code == 400
    assert {(error["field"], error["code"]) for error in response.json()["errors"]} == {
        ("updates_case", "out_of_range")
    }
