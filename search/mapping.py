"""The engine index of one locale: settings and mapping, versioned in code.

Bump ``MAPPING_VERSION`` when the mapping changes; ``manage.py search_index rebuild`` then builds
new indexes and swaps the aliases.
"""

from __future__ import annotations

from typing import Any

from search.languages import engine_analyzer

MAPPING_VERSION = 2
KEYWORD_FIELDS = (
    "translation_key",
    "type",
    "locale",
    "translated_locales",
    "country",
    "topic",
    "tool",
    "participation_level",
    "government_level",
    "stage",
)


def index_body(language_code: str, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    analyzer = engine_analyzer(language_code)
    # Offsets in the postings let the highlighter mark words without analysing the text again.
    text = {
        "type": "text",
        "analyzer": analyzer,
        "index_options": "offsets",
        "fields": {"prefix": {"type": "text", "analyzer": "manual_prefix", "search_analyzer": "manual_prefix_search"}},
    }
    properties: dict[str, Any] = {key: {"type": "keyword"} for key in KEYWORD_FIELDS}
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
