"""The case list's side of the filter contract: its query and the codes the OpenAPI document lists.

The filters' parameters and their one validator are search's (``search.filters``: each declared
case filter is a search facet, ``manual.searchable``): ``/api/v1/cases`` takes the facets that are
case filters and passes the codes ``clean_filters`` accepted to ``filter_cases``, which restricts
the cases in the database with each filter's ``restrict`` (``manual.taxonomy_registry``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

from django.conf import settings
from django.db.models import QuerySet

from core.openapi import CodeSet
from manual.taxonomy_registry import case_filters

# Filter key -> checked codes: OR inside one key, AND across keys (``?topic=a&topic=b&stage=c``).
CaseFilters: TypeAlias = Mapping[str, Sequence[str]]


def filter_keys() -> tuple[str, ...]:
    """The keys of the declared filters: the facets ``/api/v1/cases`` takes as parameters."""
    return tuple(item.key for item in case_filters())


def filter_cases(cases: QuerySet, filters: CaseFilters) -> QuerySet:
    """``cases`` restricted by ``filters``, codes already checked (``search.filters.clean_filters``)."""
    for item in case_filters():
        codes = filters.get(item.key)
        if codes:
            cases = item.restrict(cases, codes)
    return cases


def accepted_codes() -> list[CodeSet]:
    """The code sets the validators accept now (one query per taxonomy), each under its names.

    The configured locales (``locale``) and, per filter, its codes under its key (``?topic=``) and
    its field (the submission's ``"topics"``): what ``core.openapi`` states as one named enum each.
    """
    codes = [CodeSet(schema="LocaleCode", names=("locale",), values=list(settings.MANUAL_LOCALES))]
    for item in case_filters():
        codes.append(CodeSet(schema=item.code_schema, names=(item.key, item.field), values=item.accepted_codes()))
    return codes
