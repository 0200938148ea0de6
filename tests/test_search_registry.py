"""The search app is generic: content apps register what it indexes, everything else derives from that.

``manual.searchable`` registers the manual's page types and facets (``search.registry``); the
search app imports nothing of the manual, and its facet keys, engine mapping, filter parameters,
filter validation and documents follow the registrations.
"""

import ast
import json
from pathlib import Path

import pytest

import search.registry as search_registry
from core.api_errors import InvalidInput
from search.documents import build_documents, indexable_pages
from search.filters import MESSAGES, clean_filters, facet_filter_schema
from search.mapping import index_body, keyword_fields
from search.registry import Facet, Registry, facet_keys, facets, searchable_types

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_search_imports_nothing_of_the_manual():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "manual")
        for path in (ROOT / "search").rglob("*.py")
        if "engine" not in path.relative_to(ROOT / "search").parts[:1]
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_manual_models_import_nothing_of_search():
    assert not [m for m in imported_modules(ROOT / "manual" / "models.py") if m.split(".")[0] == "search"]


def test_the_manual_registers_its_types_and_facets():
    assert [searchable.name for searchable in searchable_types()] == ["case_study", "section"]
    classifications = ("country", "topic", "tool", "participation_level", "government_level", "stage")
    # The case facts that are categories (manual.case_facts) follow, single-valued.
    facts = ("participation_mode", "eligibility", "organiser_type", "funder_type", "evaluated", "evaluator")
    assert facet_keys() == ("type", *classifications, *facts)
    assert [facet.many for facet in facets()] == [False, False, True, True, False, False, True, *[False] * len(facts)]


def _expected_body(language: str, analyzer: str, folded_filters: list, definitions: dict) -> dict:
    """The index body of MAPPING_VERSION 4, as engines hold it today (key order included)."""
    keyword = {"type": "keyword"}
    folded = {"type": "text", "analyzer": "manual_folded", "index_options": "offsets"}
    text = {"type": "text", "analyzer": analyzer, "fields": {"folded": folded}}
    prefix = {"type": "text", "analyzer": "manual_prefix", "search_analyzer": "manual_prefix_search"}
    prefix_folded = {
        "type": "text",
        "analyzer": "manual_prefix_folded",
        "search_analyzer": "manual_prefix_folded_search",
    }
    standard = {"type": "custom", "tokenizer": "standard"}
    folding = {**standard, "char_filter": ["manual_yo"]}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "analysis": {
                "char_filter": {"manual_yo": {"type": "mapping", "mappings": ["ё=>е", "Ё=>Е"]}},
                "filter": {"manual_edge": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20}, **definitions},
                "analyzer": {
                    "manual_folded": {**folding, "filter": [*folded_filters, "asciifolding"]},
                    "manual_prefix": {**standard, "filter": ["lowercase", "manual_edge"]},
                    "manual_prefix_search": {**standard, "filter": ["lowercase"]},
                    "manual_prefix_folded": {**folding, "filter": ["lowercase", "asciifolding", "manual_edge"]},
                    "manual_prefix_folded_search": {**folding, "filter": ["lowercase", "asciifolding"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"mapping_version": 4, "language": language, "analyzer": analyzer},
            "properties": {
                "translation_key": keyword,
                "type": keyword,
                "locale": keyword,
                "translated_locales": keyword,
                "country": keyword,
                "topic": keyword,
                "tool": keyword,
                "participation_level": keyword,
                "government_level": keyword,
                "stage": keyword,
                "participation_mode": keyword,
                "eligibility": keyword,
                "organiser_type": keyword,
                "funder_type": keyword,
                "evaluated": keyword,
                "evaluator": keyword,
                "id": {"type": "long"},
                "title": {**text, "fields": {"folded": folded, "prefix": prefix, "prefix_folded": prefix_folded}},
                "summary": text,
                "body": text,
                "url": {"type": "keyword", "index": False},
                "start_year": {"type": "integer"},
                "end_year": {"type": "integer"},
                "published_at": {"type": "date"},
            },
        },
    }


ENGLISH = (
    ["manual_stemmer_possessive_english", "lowercase", "manual_stop", "manual_stemmer_english"],
    {
        "manual_stemmer_possessive_english": {"type": "stemmer", "language": "possessive_english"},
        "manual_stop": {"type": "stop", "stopwords": "_english_"},
        "manual_stemmer_english": {"type": "stemmer", "language": "english"},
    },
)
RUSSIAN = (
    ["lowercase", "manual_stop", "manual_stemmer_russian"],
    {
        "manual_stop": {"type": "stop", "stopwords": "_russian_"},
        "manual_stemmer_russian": {"type": "stemmer", "language": "russian"},
    },
)


@pytest.mark.parametrize(
    "language, analyzer, folded",
    [("en", "english", ENGLISH), ("ru", "russian", RUSSIAN), ("xx", "standard", (["lowercase"], {}))],
)
def test_the_mapping_of_todays_registrations_is_unchanged(language, analyzer, folded):
    """Byte for byte: deriving the keyword fields from the registry needs no reindex (MAPPING_VERSION 4)."""
    expected = json.dumps(_expected_body(language, analyzer, *folded))
    assert json.dumps(index_body(language)) == expected


@pytest.fixture
def audience(monkeypatch):
    """A facet registered by another content app: the registry as today, plus ``audience``."""
    extended = Registry()
    for searchable in searchable_types():
        extended.register_type(searchable)
    for facet in facets()[1:]:
        extended.register_facet(facet)
    extended.register_facet(
        Facet(
            key="audience",
            title="Audience",
            description="Audience code; repeat for OR.",
            codes=lambda: {"youth", "seniors"},
            labels=lambda locale: str.title,
            normalise=str.lower,
        )
    )
    monkeypatch.setattr(search_registry, "registry", extended)
    return extended


def test_a_registered_facet_is_a_keyword_field_a_filter_and_a_document_field(audience, en):
    assert facet_keys()[-1] == "audience"
    assert keyword_fields()[-1] == "audience"
    assert index_body("en")["mappings"]["properties"]["audience"] == {"type": "keyword"}
    assert "audience" in facet_filter_schema().model_fields
    assert clean_filters({"audience": ["Youth", " ", "youth"]}) == {"audience": ("youth",)}
    with pytest.raises(InvalidInput) as refused:
        clean_filters({"audience": ["pupils"]})
    assert (refused.value.field, refused.value.code) == ("audience", "unknown_code")
    assert refused.value.message == "Unknown audience code(s): 'pupils'."
    [document] = build_documents(indexable_pages().filter(locale=en).values_list("pk", flat=True)[:1])
    assert document["audience"] == []


def test_one_message_per_error_code(db):
    """Every facet's refusals read the same, whatever app registered it."""
    for key, value in (("type", "film"), ("country", "zz"), ("topic", "nope")):
        with pytest.raises(InvalidInput) as refused:
            clean_filters({key: [value]})
        shown = value.upper() if key == "country" else value
        assert refused.value.message == str(MESSAGES["unknown_code"]) % {"filter": key, "codes": repr(shown)}
        with pytest.raises(InvalidInput) as refused:
            clean_filters({key: [value] * 21})
        assert (refused.value.code, refused.value.message) == ("too_many", "At most 20 values.")
