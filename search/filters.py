"""The filter contract: facet filters as query parameters, and their one validator.

The parameters (one repeatable parameter per registered facet, ``search.registry``) and the
validation of their values are both derived from the facets, so a registered facet is a filter of
``/api/v1/search`` with nothing else to edit. Each error code has one message. Another list
endpoint adopts the contract by declaring ``filters: facet_filter_schema(...) = Query(...)`` and
passing ``filters.dict()`` to ``clean_filters``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, create_model

from core.api_errors import InvalidInput
from search.registry import Facet, facets

MAX_VALUES_PER_FACET = 20

# One message per error code of the filters.
MESSAGES = {
    "too_many": _("At most %(count)s values."),
    "unknown_code": _("Unknown %(filter)s value(s): %(values)s."),
}


def refuse(key: str, code: str, **params: object) -> InvalidInput:
    return InvalidInput(key, str(MESSAGES[code]) % params, code)


def clean_filters(raw: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Validated facet filters: blank values dropped, codes normalised, deduplicated and sorted.

    Keys without values are left out; a 400 (``InvalidInput``) names the first wrong filter.
    """
    by_key = {facet.key: facet for facet in facets()}
    clean: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        facet = by_key[key]
        values = [value.strip() for value in values if value and value.strip()]
        if not values:
            continue
        if len(values) > MAX_VALUES_PER_FACET:
            raise refuse(key, "too_many", count=MAX_VALUES_PER_FACET)
        clean[key] = tuple(sorted(set(_known_codes(facet, values))))
    return clean


def _known_codes(facet: Facet, values: list[str]) -> list[str]:
    values = [facet.normalise(value) for value in values]
    codes = facet.codes()
    unknown = [value for value in values if value not in codes]
    if unknown:
        raise refuse(facet.key, "unknown_code", filter=facet.key, values=", ".join(repr(v[:40]) for v in unknown[:5]))
    return values


def facet_filter_schema(exclude: tuple[str, ...] = ()) -> type[Schema]:
    """The facet filters as a ninja schema of repeatable query parameters, for ``Query(...)``.

    ``clean_filters`` stays the one validator (its 400s name the parameter): the schema only states
    the rules in the OpenAPI document (``json_schema_extra``), it does not check them again.
    """
    return _schema(facets(), exclude)


@lru_cache(maxsize=8)
def _schema(declared: tuple[Facet, ...], exclude: tuple[str, ...]) -> type[Schema]:
    fields: dict[str, Any] = {
        facet.key: (list[str], Field([], description=facet.description, json_schema_extra=_rules(facet)))
        for facet in declared
        if facet.key not in exclude
    }
    return create_model("FacetFilters", __base__=Schema, **fields)


def _rules(facet: Facet) -> dict[str, Any]:
    rules: dict[str, Any] = {"maxItems": MAX_VALUES_PER_FACET}
    if facet.choices:
        rules["items"] = {"type": "string", "enum": list(facet.choices)}
    return rules
