"""The filter contract of the case list: which taxonomy codes a request may filter by, and how.

Shared by ``/api/v1/cases`` and the reader's case list; unknown codes are refused naming the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from manual.models import CaseStudyPage
from manual.services.taxonomies import COUNTRY_CODES, KINDS_BY_KEY, label_lookup
from site_config.api_errors import InvalidInput


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list: OR inside one key, AND across keys."""

    country: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    tool: tuple[str, ...] = ()
    participation_level: tuple[str, ...] = ()
    government_level: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()


def validate_filters(filters: CaseFilters) -> CaseFilters:
    """Refuse unknown codes, naming the filter, so a typo never silently answers nothing."""
    for code in filters.country:
        if code.upper() not in COUNTRY_CODES:
            raise InvalidInput(
                "country",
                _("%(code)s is not an ISO 3166-1 alpha-2 country code.") % {"code": repr(code)},
                "unknown_code",
            )
    labels = label_lookup(None)
    for key, kind in KINDS_BY_KEY.items():
        unknown = sorted(code for code in set(getattr(filters, key)) if not labels.knows(kind.model, code))
        if unknown:
            raise InvalidInput(
                key,
                _("Unknown %(filter)s code(s): %(codes)s.") % {"filter": key, "codes": ", ".join(unknown)},
                "unknown_code",
            )
    return filters


def filter_cases(cases: QuerySet, filters: CaseFilters) -> QuerySet:
    if filters.country:
        cases = cases.filter(country__in=[code.upper() for code in filters.country])
    if filters.participation_level:
        cases = cases.filter(participation_level__code__in=filters.participation_level)
    if filters.government_level:
        cases = cases.filter(government_level__code__in=filters.government_level)
    for key, relation in (("topic", "topics"), ("tool", "tools"), ("stage", "stages")):
        codes = getattr(filters, key)
        if codes:
            model = CaseStudyPage._meta.get_field(relation).related_model
            # A subquery keeps one row per page, so pagination and counts stay exact.
            matching = model.objects.filter(code__in=codes).values("pk")
            cases = cases.filter(**{f"{relation}__in": matching}).distinct()
    return cases
