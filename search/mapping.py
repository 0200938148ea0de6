"""The engine index of one locale: settings and mapping, versioned in code.

Bump ``MAPPING_VERSION`` when the mapping changes; ``manage.py search_index rebuild`` then builds
new indexes and swaps the aliases. The keyword fields are the documents' own plus one per registered
facet (``search.registry``): registering a facet changes the mapping, so it needs a version bump and
a rebuild too (tests/test_search_registry.py pins the mapping of today's registrations).
"""

from __future__ import annotations

from typing import Any

from search.languages import engine_analyzer
from search.registry import facet_keys

MAPPING_VERSION = 2
# Keyword fields of every document, whatever facets are registered.
DOCUMENT_KEYWORDS = ("translation_key", "type", "locale", "translated_locales")


def keyword_fields() -> tuple[str, ...]:
    return (*DOCUMENT_KEYWORDS, *(key for key in facet_keys() if key not in DOCUMENT_KEYWORDS))


def index_body(language_code: str, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    analyzer = engine_analyzer(language_code)
    # Offsets in the postings let the highlighter mark words without analysing the text again.
    text = {
        "type": "text",
        "analyzer": analyzer,
        "index_options": "offsets",
        "fields": {"prefix": {"type": "text", "analyzer": "manual_prefix", "search_analyzer": "manual_prefix_search"}},
    }
    properties: dict[str, Any] = {key: {"type": "keyword"} for key in keyword_fields()}
    properties.update(
        {
            "id": {"type": "long"},
            "title": text,
            "summary": {"type": "text", "analyzer": analyzer, "index_options": "offsets"},
            "body": {"type": "text", "analyzer": analyzer, "index_options": "offsets"},
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
                "filter": {"manual_edge": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20}},
                "analyzer": {
                    # Type-ahead: "бюдж" matches "бюджет" through edge n-grams of each word.
                    "manual_prefix": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "manual_edge"],
                    },
                    "manual_prefix_search": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"mapping_version": MAPPING_VERSION, "language": language_code, "analyzer": analyzer},
            "properties": properties,
        },
    }
