"""The reader's map of the cases (``/<locale>/map/``): which cases match, where they are, how many per country.

The cases are the public ones of a locale, with the default locale's for those not translated
(``read_model.localized_pages`` with fallback, as the reader's search and case list), read in one
query plus one per taxonomy with many terms (``read_model.case_queryset``), whatever their number.
The filters are the case filters' codes, checked by ``search.filters.clean_filters``; they are
applied to the cases read, with the case list's contract (``manual.services.case_filters``: OR
inside one filter, AND across filters) on each filter's codes of a case (``CaseFilter.codes_of``),
so one reading gives the cases shown and the facet counts. The counts are disjunctive like
search's (each filter counted with the other filters applied, not its own), so a visitor sees
what choosing another value of the same filter would add.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from wagtail.models import Locale

from manual.models import BODY_SECTIONS, CaseStudyPage
from manual.services.case_filters import CaseFilters
from manual.services.read_model import case_queryset, localized_pages
from manual.taxonomy_registry import COUNTRY, CaseFilter, case_filters


@dataclass(frozen=True)
class MapCase:
    """A case as the map shows it: its page (in its own language when not translated) and codes."""

    page: CaseStudyPage
    codes: dict[str, frozenset[str]]  # filter key -> the case's codes
    fallback: bool  # the page is the default locale's, shown for a missing translation

    @property
    def position(self) -> tuple[float, float] | None:
        """(longitude, latitude), when the case has coordinates."""
        if self.page.coordinates is None:
            return None
        latitude, longitude = self.page.coordinates
        return float(longitude), float(latitude)

    def matches(self, filters: CaseFilters, skip: str | None = None) -> bool:
        """Whether the case has one of the codes of every filter (but ``skip``)."""
        return all(self.codes[key] & set(codes) for key, codes in filters.items() if codes and key != skip)


@dataclass(frozen=True)
class FacetCount:
    code: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True)
class MapFacet:
    case_filter: CaseFilter
    values: list[FacetCount]  # by count, then label; a checked value stays listed (count 0)


@dataclass(frozen=True)
class CaseMap:
    cases: list[MapCase]  # the cases that match, by title
    countries: list[FacetCount]  # the countries of those cases, by count, then name
    facets: list[MapFacet]  # every case filter, in declaration order
    total: int  # every case of the locale, filters aside


def _codes(page: CaseStudyPage) -> dict[str, frozenset[str]]:
    return {item.key: frozenset(item.codes_of(page)) for item in case_filters()}


def _counted(
    case_filter: CaseFilter, counts: Counter[str], checked: tuple[str, ...], language: str
) -> list[FacetCount]:
    values = [
        FacetCount(code, case_filter.label(code, language), counts.get(code, 0), code in checked)
        for code in {*counts, *checked}
    ]
    values.sort(key=lambda value: (-value.count, value.label))
    return values


def read_case_map(locale: Locale, filters: CaseFilters) -> CaseMap:
    """The cases of ``locale`` that match ``filters`` (checked codes), with counts per country and facet."""
    public = localized_pages(CaseStudyPage, locale, fallback=True)
    # The long texts are not shown: left in the database, a page of thousands of cases reads less.
    pages = case_queryset().filter(pk__in=public.values("pk")).defer("summary", *BODY_SECTIONS).order_by("title", "pk")
    every = [MapCase(page, _codes(page), page.locale_id != locale.pk) for page in pages]
    language = locale.language_code
    facets = []
    for item in case_filters():
        counts: Counter[str] = Counter()
        for case in every:
            if case.matches(filters, skip=item.key):
                counts.update(case.codes[item.key])
        facets.append(MapFacet(item, _counted(item, counts, tuple(filters.get(item.key, ())), language)))
    cases = [case for case in every if case.matches(filters)]
    countries: Counter[str] = Counter(code for case in cases for code in case.codes[COUNTRY.key])
    return CaseMap(
        cases=cases,
        countries=_counted(COUNTRY, countries, (), language),
        facets=facets,
        total=len(every),
    )


def facet_form(case_map: CaseMap) -> list[dict[str, Any]]:
    """The facets as the search form's fieldsets show them (``templates/includes/facet_fieldsets.html``)."""
    return [
        {
            "key": facet.case_filter.key,
            "title": str(facet.case_filter.title),
            "values": [
                {"value": value.code, "label": value.label, "count": value.count, "checked": value.checked}
                for value in facet.values
            ],
        }
        for facet in case_map.facets
    ]
