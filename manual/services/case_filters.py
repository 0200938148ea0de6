"""The filter contract of the case list, derived from the registry of case filters.

Shared by ``/api/v1/cases`` and the reader's case list: the query parameters (one per declared
filter, ``manual.taxonomy_registry``), their validation (unknown codes are refused naming the
filter, with the registry's one message), the query, and the codes the OpenAPI document lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field, create_model

from core.api_errors import InvalidInput
from manual.taxonomy_registry import UnknownCodes, case_filters

# Filter key -> codes: OR inside one key, AND across keys (``?topic=a&topic=b&stage=c``).
CaseFilters: TypeAlias = Mapping[str, Sequence[str]]


def filter_query_schema(name: str = "CaseFilterQuery", **parameter_schema: Any) -> type[Schema]:
    """The query parameters of the filters, one list of codes per declared filter, for ninja's ``Query``.

    ``parameter_schema`` is added to each parameter's OpenAPI schema only (e.g. ``maxItems`` a
    validator checks with its own message). The codes are checked by ``validate_filters``, not
    here: the accepted values live in the database (``site_config.openapi`` documents them).
    """
    extra = parameter_schema or None
    fields: dict[str, Any] = {
        item.key: (list[str], Field([], description=item.parameter_description, json_schema_extra=extra))
        for item in case_filters()
    }
    return create_model(name, __base__=Schema, **fields)


def validate_filters(filters: CaseFilters) -> dict[str, tuple[str, ...]]:
    """The filters with codes, normalised; unknown codes are refused naming the filter, so a typo
    never silently answers nothing."""
    declared = {item.key for item in case_filters()}
    if set(filters) - declared:
        raise ValueError(f"Not a declared case filter: {', '.join(sorted(set(filters) - declared))}")
    clean: dict[str, tuple[str, ...]] = {}
    for item in case_filters():
        codes = filters.get(item.key) or ()
        if not codes:
            continue
        try:
            clean[item.key] = item.check(codes)
        except UnknownCodes as exc:
            raise InvalidInput(item.key, exc.message, "unknown_code") from None
    return clean


def filter_cases(cases: QuerySet, filters: CaseFilters) -> QuerySet:
    for item in case_filters():
        codes = filters.get(item.key)
        if codes:
            cases = item.restrict(cases, codes)
    return cases


def accepted_codes() -> dict[str, list[str]]:
    """Parameter and field name -> the values the validators accept now (one query per taxonomy).

    Each filter's codes under its key (``?topic=``) and its field (the submission's ``"topics"``),
    and the configured locales (``locale``): what ``site_config.openapi`` states as enums.
    """
    codes: dict[str, list[str]] = {"locale": list(settings.MANUAL_LOCALES)}
    for item in case_filters():
        values = item.accepted_codes()
        codes[item.key] = values
        codes[item.field] = values
    return codes
