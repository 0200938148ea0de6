"""A visitor's search, validated; and the shape of its answer.

Every value from outside is checked here (the facet filters by ``search.filters``), so the
drivers only ever receive known facet keys, known codes, bounded strings and numbers; the engine
query is built as structured DSL from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.api_errors import InvalidInput
from search.filters import clean_filters
from search.glossary import Expansion

SORTS = ("relevance", "newest", "year")
MAX_QUERY_LENGTH = 200
# Results deeper than this are not paginated (``too_deep``): the engine's default window.
MAX_RESULTS = 10_000


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    locale: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    fallback: bool = False
    # The words' meaning in each fallback locale, through the glossary (set by search.services).
    expansions: tuple[Expansion, ...] = ()

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def default_locale(self) -> str:
        return settings.MANUAL_LOCALES[0]

    @property
    def fallback_locales(self) -> tuple[str, ...]:
        """With ``fallback``, every other locale, in the order of MANUAL_LOCALES (the source locale
        first): the search also reaches their documents that have no translation in ``locale``, each
        once, in the first of these locales it exists in (``reached_from``)."""
        if not self.fallback:
            return ()
        return tuple(code for code in settings.MANUAL_LOCALES if code != self.locale)

    def reached_from(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each fallback locale with the locales whose translation of a document keeps that locale's
        version out of reach: the query's own and the fallback locales before it."""
        earlier = [self.locale]
        reach = []
        for code in self.fallback_locales:
            reach.append((code, tuple(earlier)))
            earlier.append(code)
        return reach

    @property
    def effective_sort(self) -> str:
        # Without words there is no relevance to rank by: newest first.
        return "newest" if self.sort == "relevance" and not self.q else self.sort


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchHit:
    id: int
    translation_key: str
    type: str
    title: str
    summary: str
    url: str | None
    locale: str
    fallback: bool
    highlight: dict[str, list[str]]


@dataclass
class SearchResults:
    count: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    degraded: bool = False
    driver: str = ""


def build_query(
    *,
    q: str | None,
    locale: str | None,
    filters: dict[str, list[str]],
    year_from: int | None,
    year_to: int | None,
    sort: str | None,
    page: int,
    page_size: int,
    fallback: bool,
) -> SearchQuery:
    """Validate raw parameters into a SearchQuery; a 400 names the first wrong parameter."""
    text = " ".join((q or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput("q", _("At most %(count)s characters.") % {"count": MAX_QUERY_LENGTH}, "too_long")
    code = (locale or settings.MANUAL_LOCALES[0]).lower()
    if code not in settings.MANUAL_LOCALES:
        raise InvalidInput(
            "locale",
            _("Unknown locale %(code)s; configured: %(locales)s.")
            % {"code": repr(code), "locales": ", ".join(settings.MANUAL_LOCALES)},
            "unknown_locale",
        )
    sort = sort or "relevance"
    if sort not in SORTS:
        raise InvalidInput("sort", _("One of %(choices)s.") % {"choices": ", ".join(SORTS)}, "invalid_choice")
    if page < 1:
        raise InvalidInput("page", _("Pages start at 1."), "greater_than_equal")
    if not 1 <= page_size <= 100:
        raise InvalidInput("page_size", _("Between 1 and 100."), "out_of_range")
    if page * page_size > MAX_RESULTS:
        raise InvalidInput(
            "page", _("Results beyond the first 10,000 are not paginated; narrow the search."), "too_deep"
        )
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidInput("year_from", _("year_from is after year_to."), "invalid_range")
    return SearchQuery(
        q=text,
        locale=code,
        filters=clean_filters(filters),
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        page_size=page_size,
        fallback=fallback,
    )


def as_dict(results: SearchResults) -> dict[str, Any]:
    return {
        "count": results.count,
        "results": [hit.__dict__ for hit in results.results],
        "facets": {key: [value.__dict__ for value in values] for key, values in results.facets.items()},
        "degraded": results.degraded,
    }
