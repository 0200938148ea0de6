"""The filter contract: facet filters as query parameters, and their one validator.

The parameters (one repeatable parameter per registered facet, ``search.registry``) and the
validation of their values are both derived from the facets, so a registered facet is a filter of
``/api/v1/search`` with nothing else to edit. ``/api/v1/cases`` takes the same contract for the
facets that are case filters (``manual.api``): it declares ``filters: facet_filter_schema(only=...)
= Query(...)`` and passes ``filters.model_dump()`` to ``clean_filters``.

Each error code has one message, here: ``unknown_code_message`` is also the message a content app
gives when it checks the same codes elsewhere (the manual's submissions, through
``manual.taxonomy_registry.CaseFilter.refusal``), so a code is refused in the same words wherever
it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, create_model

from core.api_errors import InvalidInput
from search.registry import Facet, facets

MAX_VALUES_PER_FACET = 20
# A refusal quotes at most this many unknown codes, each cut to this length: the message echoes
# what a stranger sent, so its size must not follow theirs.
QUOTED_CODES = 5
QUOTED_LENGTH = 40

# One message per error code of the filters.
MESSAGES = {
    "too_many": _("At most %(count)s values."),
    "unknown_code": _("Unknown %(filter)s code(s): %(codes)s."),
}


def unknown_code_message(key: str, unknown: Iterable[str]) -> str:
    """The message of ``unknown_code`` for the filter ``key``: the unknown codes, sorted, quoted."""
    quoted = [repr(code[:QUOTED_LENGTH]) for code in sorted(set(unknown))[:QUOTED_CODES]]
    return str(MESSAGES["unknown_code"]) % {"filter": key, "codes": ", ".join(quoted)}


def clean_filters(raw: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Validated facet filters: blank values dropped, codes normalised, deduplicated and sorted.

    Keys without values are left out; a 400 (``InvalidInput``) names the first wrong filter.
    """
    by_key = {facet.key: facet for facet in facets()}
    clean: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if key not in by_key:
            raise ValueError(f"Not a registered facet: {key}")
        values = [value.strip() for value in values if value and value.strip()]
        if not values:
            continue
        if len(values) > MAX_VALUES_PER_FACET:
            raise InvalidInput(key, str(MESSAGES["too_many"]) % {"count": MAX_VALUES_PER_FACET}, "too_many")
        clean[key] = tuple(sorted(set(_known_codes(by_key[key], values))))
    return clean


def _known_codes(facet: Facet, values: list[str]) -> list[str]:
    values = [facet.normalise(value) for value in values]
    codes = facet.codes()
    unknown = [value for value in values if value not in codes]
    if unknown:
        raise InvalidInput(facet.key, unknown_code_message(facet.key, unknown), "unknown_code")
    return values


def facet_filter_schema(only: Iterable[str] | None = None) -> type[Schema]:
    """The facet filters as a ninja schema of repeatable query parameters, for ``Query(...)``.

    Every registered facet, or those whose keys are ``only`` (in the registry's order).
    ``clean_filters`` stays the one validator (its 400s name the parameter): the schema only states
    the rules in the OpenAPI document (``json_schema_extra``), it does not check them again.
    """
    declared = facets()
    if only is None:
        return _schema(declared)
    wanted = set(only)
    missing = wanted - {facet.key for facet in declared}
    if missing:
        raise ImproperlyConfigured(f"Not registered facets: {', '.join(sorted(missing))}")
    return _schema(tuple(facet for facet in declared if facet.key in wanted))


@lru_cache(maxsize=8)
def _schema(chosen: tuple[Facet, ...]) -> type[Schema]:
    fields: dict[str, Any] = {
        facet.key: (list[str], Field([], description=facet.description, json_schema_extra=_rules(facet)))
        for facet in chosen
    }
    return create_model("FacetFilters", __base__=Schema, **fields)


def _rules(facet: Facet) -> dict[str, Any]:
    rules: dict[str, Any] = {"maxItems": MAX_VALUES_PER_FACET}
    if facet.choices:
        rules["items"] = {"type": "string", "enum": list(facet.choices)}
    return rules
