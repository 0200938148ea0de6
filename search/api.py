"""Search routes: faceted search and type-ahead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema

from core.api_errors import ERROR_RESPONSES, InvalidInput
from core.lists import FieldsParam, only, page_links, select_fields, unpaged
from core.openapi import documented
from search import services
from search.filters import facet_filter_schema
from search.query import MAX_QUERY_LENGTH, MAX_RESULTS, SORTS, as_dict, build_query
from search.schemas import SearchHitOut, SearchOut, SuggestOut

router = Router(tags=["search"])

# What build_query checks, stated in the OpenAPI document; build_query stays the one validator (its
# 400s name the field), so these are schema-only (`json_schema_extra`), never a second check.
MAX_PAGE = MAX_RESULTS  # build_query: page * page_size <= 10,000 (`too_deep`)
HIT_FIELDS = tuple(SearchHitOut.model_fields)  # what `fields=` may select of a hit
# One repeatable parameter per registered facet (search.registry), validated by search.filters. The
# schema is built at run time, so type checkers see only its base class.
if TYPE_CHECKING:
    FacetFilters = Schema
else:
    FacetFilters = facet_filter_schema()


@router.get("search", response={200: SearchOut, **ERROR_RESPONSES}, summary="Search cases and sections")
def search(
    request: HttpRequest,
    q: str = documented(
        Query(
            "",
            description=(
                "Words to find; stemmed in the locale's language, accents folded (`Gdansk` finds `Gdańsk`, the "
                f"form typed ranks first). At most {MAX_QUERY_LENGTH} characters."
            ),
        ),
        maxLength=MAX_QUERY_LENGTH,
    ),
    locale: str | None = Query(None, description="Locale to search (default: the manual's default locale)."),
    filters: FacetFilters = Query(...),
    year_from: int | None = Query(None, ge=1900, le=2100, description="Initiatives started in or after."),
    year_to: int | None = Query(None, ge=1900, le=2100, description="Initiatives started in or before."),
    sort: str = documented(
        Query("relevance", description="`relevance`, `newest` (first publication) or `year` (start year)."),
        enum=list(SORTS),
    ),
    page: int = documented(
        Query(
            1,
            ge=1,
            description=f"Page number, from 1; `page` × `page_size` at most {MAX_PAGE:,} (deeper is a 400 `too_deep`).",
        ),
        maximum=MAX_PAGE,
    ),
    page_size: int = Query(20, ge=1, le=100),
    fallback: bool = Query(
        False,
        description=(
            "Also find the other locales' cases not translated into `locale` (each once, in the first locale of "
            "MANUAL_LOCALES that has it), the words expanded into their languages through the glossary "
            '(docs/search.md "Glossary"); marked `fallback`, after `locale`\'s results.'
        ),
    ),
    fields: str | None = FieldsParam,
):
    """Facets are disjunctive: OR inside a facet, AND across facets; each facet's counts apply every
    other facet's filter but not its own. `degraded` is true when the engine did not answer and the
    database driver did."""
    names = select_fields(fields, HIT_FIELDS)
    query = build_query(
        q=q,
        locale=locale,
        filters=filters.model_dump(),
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        page_size=page_size,
        fallback=fallback,
    )
    # The answer is built from validated data; skipping ninja's second validation of it saves a few
    # milliseconds a search (the schema still documents it in OpenAPI).
    found = as_dict(services.search(query))
    found["results"] = [only(hit, names) for hit in found["results"]]
    answer = {"count": found["count"], **page_links(request, page, page_size, found["count"], MAX_RESULTS), **found}
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@router.get("search/suggest", response={200: SuggestOut, **ERROR_RESPONSES}, summary="Type-ahead titles")
def suggest(
    request: HttpRequest,
    q: str = documented(
        Query(
            ...,
            description=(
                f"The beginning of a title word, accents folded: 1 to {MAX_QUERY_LENGTH} characters, not only spaces."
            ),
        ),
        minLength=1,
        maxLength=MAX_QUERY_LENGTH,
        pattern=r"\S",
    ),
    locale: str | None = Query(None),
    limit: int = Query(8, ge=1, le=20),
):
    query = build_query(
        q=q, locale=locale, filters={}, year_from=None, year_to=None, sort=None, page=1, page_size=1, fallback=False
    )
    if not query.q:
        raise InvalidInput("q", f"Give 1 to {MAX_QUERY_LENGTH} characters.", "required")
    results, degraded = services.suggest(query.q, query.locale, limit)
    return {**unpaged(results), "degraded": degraded}
