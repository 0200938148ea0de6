"""The registry of case filters: each kind declared once, everything else derived from it.

The last test is the proof: a kind declared in a test app (tests/taxonomy_app) reaches the case
list's filters and their OpenAPI schema, a case's terms in the API (and their schema) and on its
page, the validation of filters and of submissions, the import format, the taxonomy route, the
roles, the translators' lists, the submission form, the admin menu and search, with nothing else
edited (docs/architecture.md "Adding a taxonomy kind").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.api_errors import InvalidInput
from manual.taxonomy_registry import COUNTRY, case_filters, in_display_order, taxonomy_kinds
from search.filters import clean_filters
from tests.support.submissions import post_json, valid_payload

PROOF = Path(__file__).resolve().parent / "taxonomy_app" / "proof.py"


def test_the_manual_declares_the_country_and_five_taxonomies():
    declared = [(item.key, item.kind, item.field, item.many) for item in case_filters()]
    assert declared == [
        ("country", "countries", "country", False),
        ("topic", "topics", "topics", True),
        ("tool", "tools", "tools", True),
        ("participation_level", "participation-levels", "participation_level", False),
        ("government_level", "government-levels", "government_level", False),
        ("stage", "stages", "stages", True),
        # The case facts that are categories (manual.case_facts), one code per case.
        ("participation_mode", "participation-mode", "participation_mode", False),
        ("eligibility", "eligibility", "eligibility", False),
        ("organiser_type", "organiser-type", "organiser_type", False),
        ("funder_type", "funder-type", "funder_type", False),
        ("evaluated", "evaluated", "evaluated", False),
        ("evaluator", "evaluator", "evaluator", False),
    ]
    assert case_filters()[0] is COUNTRY
    assert [kind.field for kind in in_display_order(taxonomy_kinds())] == [
        "government_level",
        "participation_level",
        "stages",
        "topics",
        "tools",
    ]


def test_a_filter_declared_twice_is_refused(monkeypatch):
    class Declaring:
        case_filters = "manual.taxonomy_registry.MANUAL_CASE_FILTERS"

    monkeypatch.setattr(apps, "get_app_configs", lambda: [Declaring(), Declaring()])
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        case_filters.__wrapped__()


@pytest.mark.django_db
def test_filters_are_checked_and_normalised():
    assert clean_filters({"country": ["ee"], "topic": ["budget", "health"], "stage": []}) == {
        "country": ("EE",),
        "topic": ("budget", "health"),
    }
    with pytest.raises(InvalidInput) as refused:
        clean_filters({"topic": ["budget"], "tool": ["fax", "abacus", "fax"]})
    assert (refused.value.field, refused.value.code) == ("tool", "unknown_code")
    assert refused.value.message == "Unknown tool code(s): 'abacus', 'fax'."
    with pytest.raises(ValueError, match="Not a registered facet: colour"):
        clean_filters({"colour": ["red"]})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "document"),
    [
        ({"topic": ["budget", "astrology"]}, "topics", {"topics": ["budget", "astrology"]}),
        ({"government_level": "galactic"}, "government_level", {"government_level": "galactic"}),
        ({"country": "XX"}, "country", {"country": "XX"}),
    ],
)
def test_the_case_list_search_and_a_submission_refuse_an_unknown_code_in_the_same_words(client, query, field, document):
    listed = client.get("/api/v1/cases", query)
    assert listed.status_code == 400
    [refusal] = listed.json()["errors"]
    searched = client.get("/api/v1/search", query)
    assert searched.status_code == 400
    assert searched.json()["errors"] == [refusal]
    submitted = post_json(client, valid_payload(**document))
    assert submitted.status_code == 400
    assert refusal["code"] == "unknown_code"
    same = [error for error in submitted.json()["errors"] if error["field"] == field]
    assert same == [{"field": field, "code": "unknown_code", "message": refusal["message"]}]


@pytest.mark.django_db
def test_the_case_list_has_one_parameter_per_declared_filter(client):
    doc = client.get("/api/v1/openapi.json").json()
    names = [parameter["name"] for parameter in doc["paths"]["/api/v1/cases"]["get"]["parameters"]]
    assert names == [
        "locale",
        *(item.key for item in case_filters()),
        "child_of",
        "ordering",
        "fields",
        "page",
        "page_size",
        "fallback",
    ]
    kinds = doc["paths"]["/api/v1/taxonomies/{kind}"]["get"]["parameters"][0]["schema"]["enum"]
    # The case facts' filters have no terms to list: their codes are in the parameters' enums.
    assert kinds == ["countries", *(kind.kind for kind in taxonomy_kinds())]


def test_a_kind_declared_once_in_a_test_app_reaches_every_use(tmp_path):
    """tests/taxonomy_app/proof.py, in a process where the app is installed (its own SQLite database)."""
    environment = {name: value for name, value in os.environ.items() if name not in {"SEARCH_URL", "DATABASE_URL"}}
    environment.update(DATABASE_URL="", VAR_DIR=str(tmp_path))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds=tests.taxonomy_app.settings"]
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed command
        [*command, str(PROOF)], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
