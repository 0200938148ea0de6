"""The engine's query DSL: the one request of a search, its facet counts, and type-ahead.

Built as structured DSL from a validated ``SearchQuery`` (known facet keys and codes, bounded
numbers); the visitor's words only ever go into ``multi_match.query`` and ``match.query``.

Words match with accents folded (the ``folded`` sub-fields of ``search.mapping``) or exactly; a
document matching both scores higher, so the form the visitor typed ranks first.
"""

from __future__ import annotations

from typing import Any

from search.drivers.base import BODY_FRAGMENT_SIZE, HIT_FIELDS
from search.glossary import Expansion
from search.mapping import FOLDED
from search.query import SearchQuery
from search.registry import facet_keys

FACET_SIZE = 300
# Field boosts of a search: a title match counts most.
BOOSTS = {"title": 3, "summary": 2, "body": 1}
AGGREGATION_PREFIX = "facets_"


def facet_clauses(filters: dict[str, tuple[str, ...]], skip: str | None = None) -> list[dict[str, Any]]:
    return [{"terms": {key: list(codes)}} for key, codes in sorted(filters.items()) if key != skip]


def facet_aggregations(filters: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Disjunctive facet counts: each facet under every filter but its own.

    Facets without a filter of their own all count under the same filter (every facet
    filter), so they share one filter aggregation instead of repeating it once each.
    """

    def terms(key: str) -> dict[str, Any]:
        return {"terms": {"field": key, "size": FACET_SIZE}}

    def under(clauses: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
        return {"filter": {"bool": {"filter": clauses}}, "aggs": {key: terms(key) for key in keys}}

    keys = facet_keys()
    unfiltered = [key for key in keys if key not in filters]
    aggregations = {f"{AGGREGATION_PREFIX}{key}": under(facet_clauses(filters, skip=key), [key])
                    for key in keys if key in filters}  # fmt: skip
    if unfiltered:
        aggregations[f"{AGGREGATION_PREFIX}rest"] = under(facet_clauses(filters), unfiltered)
    return aggregations


def facet_counts(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
    keys = facet_keys()
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    for group in aggregations.values():
        for key in keys:
            if key in group:
                counts[key] = {bucket["key"]: bucket["doc_count"] for bucket in group[key]["buckets"]}
    return counts


def _scope(query: SearchQuery) -> list[dict[str, Any]]:
    """The documents in reach: the locale (with the fallback locales' documents not translated into
    it, each once: ``SearchQuery.reached_from``) and the years."""
    scope: list[dict[str, Any]] = []
    reach: list[dict[str, Any]] = [{"term": {"locale": query.locale}}]
    for code, translated_in in query.reached_from():
        reach.append(
            {
                "bool": {
                    "filter": [{"term": {"locale": code}}],
                    "must_not": [{"terms": {"translated_locales": list(translated_in)}}],
                }
            }
        )
    scope.append(reach[0] if len(reach) == 1 else {"bool": {"should": reach, "minimum_should_match": 1}})
    years: dict[str, int] = {}
    if query.year_from is not None:
        years["gte"] = query.year_from
    if query.year_to is not None:
        years["lte"] = query.year_to
    if years:
        scope.append({"range": {"start_year": years}})
    return scope


def search_body(query: SearchQuery) -> dict[str, Any]:
    """The one engine request of a search: hits, disjunctive facets and highlights."""
    must: list[dict[str, Any]] = []
    if query.q:
        # The folded clause finds every hit of a current index; the exact one ranks the form typed
        # first, and keeps an index of MAPPING_VERSION 2 (no folded sub-fields) answering until
        # it is rebuilt.
        must.append(_text(query))
    sort = {
        "relevance": [*_same_language_first(query), "_score", {"id": "asc"}],
        "newest": [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
        "year": [{"start_year": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    }[query.effective_sort]
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": _scope(query)}},
        "post_filter": {"bool": {"filter": facet_clauses(query.filters)}},
        "aggs": facet_aggregations(query.filters),
        "sort": sort,
        "_source": list(HIT_FIELDS),
        "from": query.offset,
        "size": query.page_size,
        "track_total_hits": True,
    }
    if query.q:
        body["highlight"] = {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            # The folded sub-fields: every hit matched there, whichever form of a word it has.
            "fields": {
                f"title.{FOLDED}": {"number_of_fragments": 0},
                f"summary.{FOLDED}": {"number_of_fragments": 0},
                f"body.{FOLDED}": {"fragment_size": BODY_FRAGMENT_SIZE, "number_of_fragments": 1},
            },
        }
    return body


def _text(query: SearchQuery) -> dict[str, Any]:
    """The words as typed, in every locale in reach; with an expansion (``search.glossary``), also
    the fallback locale's documents matching each group (one of its terms, or its facet value),
    ranked higher by the other words. Each locale's index analyses the terms in its own language."""
    typed = _either(_words(query.q, f".{FOLDED}"), _words(query.q, ""))
    if not query.expansions:
        return typed
    return {"bool": {"should": [typed, *map(_expanded, query.expansions)], "minimum_should_match": 1}}


def _expanded(expansion: Expansion) -> dict[str, Any]:
    """The documents of ``expansion.locale`` matching each of its groups, ranked by the other words."""
    expanded: dict[str, Any] = {
        "filter": [{"term": {"locale": expansion.locale}}],
        "must": [
            {
                "bool": {
                    "should": [
                        *(_either(_words(term, f".{FOLDED}"), _words(term, "")) for term in group.terms),
                        *({"term": {key: code}} for key, code in group.facets),
                    ],
                    "minimum_should_match": 1,
                }
            }
            for group in expansion.groups
        ],
    }
    if expansion.rest:
        expanded["should"] = [_words(expansion.rest, f".{FOLDED}", operator="or")]
    return {"bool": expanded}


def _same_language_first(query: SearchQuery) -> list[dict[str, Any]]:
    """With a fallback, the query's locale before the others, whatever the scores. With one other
    locale in reach (two MANUAL_LOCALES) a keyword sort on ``locale``, whose direction puts the
    query's code first; with more, a script that ranks the query's locale 0 and the rest 1."""
    others = query.fallback_locales
    if not others:
        return []
    if len(others) == 1:
        return [{"locale": {"order": "asc" if query.locale < others[0] else "desc"}}]
    return [
        {
            "_script": {
                "type": "number",
                "order": "asc",
                "script": {
                    "lang": "painless",
                    "source": "doc['locale'].value == params.locale ? 0 : 1",
                    "params": {"locale": query.locale},
                },
            }
        }
    ]


def _words(q: str, suffix: str, operator: str = "and") -> dict[str, Any]:
    """The words of ``q`` (every one, or with ``operator`` "or" any) in the text fields (``suffix``:
    their sub-field), a title match counting most."""
    fields = [f"{name}{suffix}^{boost}" for name, boost in BOOSTS.items()]
    return {"multi_match": {"query": q, "fields": fields, "type": "cross_fields", "operator": operator}}


def _either(folded: dict[str, Any], exact: dict[str, Any]) -> dict[str, Any]:
    """Documents matching either query, those matching both (the form typed) scoring higher."""
    return {"bool": {"should": [folded, exact], "minimum_should_match": 1}}


def highlights(answer: dict[str, list[str]]) -> dict[str, list[str]]:
    """An engine hit's highlights keyed by document field (``title``, not ``title.folded``)."""
    return {name.removesuffix(f".{FOLDED}"): fragments for name, fragments in answer.items()}


def suggest_body(q: str, limit: int) -> dict[str, Any]:
    """Titles whose words start with what was typed, accents folded (edge n-grams of ``title``);
    titles with the exact letters typed rank first."""
    return {
        "query": _either(
            {"match": {"title.prefix_folded": {"query": q, "operator": "and"}}},
            {"match": {"title.prefix": {"query": q, "operator": "and"}}},
        ),
        "size": limit,
        "_source": ["id", "title", "url", "type", "locale"],
    }
