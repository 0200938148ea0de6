"""The engine index of one locale: settings and mapping, versioned in code.

Bump ``MAPPING_VERSION`` when the mapping changes; ``manage.py search_index rebuild`` then builds
new indexes and swaps the aliases. The keyword fields are the documents' own plus one per registered
facet (``search.registry``): registering a facet changes the mapping, so it needs a version bump and
a rebuild too (tests/test_search_registry.py pins the mapping of today's registrations).

This body is the one declaration of the engine's analysis, used by both engine clients
(``search.drivers.lifecycle`` creates every index from it). Each text field has a ``folded``
sub-field (the language's analysis, then accents and letter variants folded, "ё" as "е"): searches
match there or in the exact field, and a match in both scores higher, so "Gdansk" finds "Gdańsk"
and an exact "Gdańsk" ranks first (``search.drivers.dsl``). Type-ahead has the same pair:
``prefix`` and ``prefix_folded``.
"""

from __future__ import annotations

from typing import Any

from search.languages import engine_analyzer, engine_folded_filters
from search.registry import facet_keys

MAPPING_VERSION = 4
# Keyword fields of every document, whatever facets are registered.
DOCUMENT_KEYWORDS = ("translation_key", "type", "locale", "translated_locales")
# The full-text fields, each with its folded sub-field.
TEXT_FIELDS = ("title", "summary", "body")
FOLDED = "folded"
# "ё" and "е" are one letter to Russian readers (search.languages.fold does the same).
YO_MAPPING = ["ё=>е", "Ё=>Е"]


def keyword_fields() -> tuple[str, ...]:
    return (*DOCUMENT_KEYWORDS, *(key for key in facet_keys() if key not in DOCUMENT_KEYWORDS))


def _named(chain: list[str | dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    """Filter names of an analyzer and the definitions behind the names (settings name every filter)."""
    names, definitions = [], {}
    for item in chain:
        if isinstance(item, str):
            names.append(item)
        else:
            name = "_".join(["manual", item["type"], *([item["language"]] if "language" in item else [])])
            definitions[name] = item
            names.append(name)
    return names, definitions


def index_body(language_code: str, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    analyzer = engine_analyzer(language_code)
    folded_filters, folded_definitions = _named(engine_folded_filters(language_code))
    # Highlights come from the folded sub-fields (every match is one there): offsets in their
    # postings let the highlighter mark words without analysing the text again.
    folded = {"type": "text", "analyzer": "manual_folded", "index_options": "offsets"}
    texts: dict[str, dict[str, Any]] = {
        name: {"type": "text", "analyzer": analyzer, "fields": {FOLDED: folded}} for name in TEXT_FIELDS
    }
    texts["title"]["fields"].update(
        {
            "prefix": {"type": "text", "analyzer": "manual_prefix", "search_analyzer": "manual_prefix_search"},
            "prefix_folded": {
                "type": "text",
                "analyzer": "manual_prefix_folded",
                "search_analyzer": "manual_prefix_folded_search",
            },
        }
    )
    properties: dict[str, Any] = {key: {"type": "keyword"} for key in keyword_fields()}
    properties.update(
        {
            "id": {"type": "long"},
            **texts,
            "url": {"type": "keyword", "index": False},
            "start_year": {"type": "integer"},
            "end_year": {"type": "integer"},
            "published_at": {"type": "date"},
        }
    )
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": {
                "char_filter": {"manual_yo": {"type": "mapping", "mappings": YO_MAPPING}},
                "filter": {"manual_edge": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20}, **folded_definitions},
                "analyzer": {
                    "manual_folded": _custom(folded_filters, folds=True),
                    # Type-ahead: "бюдж" matches "бюджет" through edge n-grams of each word.
                    "manual_prefix": _custom(["lowercase", "manual_edge"]),
                    "manual_prefix_search": _custom(["lowercase"]),
                    "manual_prefix_folded": _custom(["lowercase", "asciifolding", "manual_edge"], folds=True),
                    "manual_prefix_folded_search": _custom(["lowercase", "asciifolding"], folds=True),
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"mapping_version": MAPPING_VERSION, "language": language_code, "analyzer": analyzer},
            "properties": properties,
        },
    }


def _custom(filters: list[str], folds: bool = False) -> dict[str, Any]:
    analyzer: dict[str, Any] = {"type": "custom", "tokenizer": "standard"}
    if folds:
        analyzer["char_filter"] = ["manual_yo"]
    analyzer["filter"] = filters
    return analyzer
