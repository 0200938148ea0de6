"""The reader's search page and the listings of one document type (HTML, no JavaScript).

A view parses the query string, calls ``search.services.search`` and shapes the answer for the
templates. A listing (``{% search_listing %}``, ``search.templatetags.search_listing``; the
manual's case list) is the same form restricted to one searchable type. Both always ask for the
fallback, so documents not yet translated into the visitor's language are found in the source
language, marked as such.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.api_errors import InvalidInput
from search import services
from search.query import SORTS, build_query
from search.registry import TYPE, facets, searchable_types

PAGE_SIZE = 20
YEAR_MIN, YEAR_MAX = 1900, 2100


def sort_choices() -> list[tuple[str, str]]:
    names = {"relevance": _("Relevance"), "newest": _("Newest first"), "year": _("Start year")}
    return [(value, names[value]) for value in SORTS]


def _year(raw: str | None, field: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[field] = _("Enter a year as a number.")
        return None
    if not YEAR_MIN <= value <= YEAR_MAX:
        errors[field] = _("Enter a year between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
        return None
    return value


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _page_link(params: QueryDict, number: int) -> str:
    params = params.copy()
    params["page"] = str(number)
    return "?" + params.urlencode()


def reader_search_context(request: HttpRequest, language: str, listing: str | None = None) -> dict[str, Any]:
    """Run the visitor's GET search in ``language`` and shape facets, results and pagination.

    ``listing``: a searchable type's name; only its documents are searched, without a type facet.
    """
    params = request.GET
    errors: dict[str, str] = {}
    shown = [facet for facet in facets() if not (listing and facet.key == TYPE)]
    filters = {facet.key: params.getlist(facet.key) for facet in shown}
    if listing:
        filters[TYPE] = [listing]
    year_from = _year(params.get("year_from"), "year_from", errors)
    year_to = _year(params.get("year_to"), "year_to", errors)
    sort = params.get("sort") or "relevance"
    if sort not in SORTS:
        errors["sort"] = _("Choose a sort order from the list.")
        sort = "relevance"
    number = _page_number(params.get("page"))
    query_args: dict[str, Any] = {
        "q": params.get("q", ""),
        "locale": language,
        "filters": filters,
        "year_from": year_from,
        "year_to": year_to,
        "sort": sort,
        "page": number,
        "page_size": PAGE_SIZE,
        "fallback": True,
    }
    try:
        query = build_query(**query_args)
    except InvalidInput as error:
        errors[error.field or "q"] = error.message
        # Answer the rest of the search without what was refused, so the form stays usable.
        query = build_query(
            **{
                **query_args,
                "q": "",
                "filters": {TYPE: filters[TYPE]} if listing else {},
                "year_from": None,
                "year_to": None,
                "page": 1,
            }
        )
    results = services.search(query)

    facet_forms = [
        {
            "key": facet.key,
            "title": str(facet.title),
            "values": [
                {
                    "value": value.value,
                    "label": value.label,
                    "count": value.count,
                    "checked": value.value in query.filters.get(facet.key, ()),
                }
                for value in results.facets.get(facet.key, [])
            ],
        }
        for facet in shown
    ]
    type_labels = {searchable.name: str(searchable.label) for searchable in searchable_types()}
    hits = [
        {
            "hit": hit,
            "language_name": LANG_INFO.get(hit.locale, {}).get("name_local", hit.locale),
            "type_label": type_labels.get(hit.type, hit.type),
            # Snippets are escaped by both drivers (the database driver escapes the text, the
            # engine's highlighter uses the html encoder); only <mark> is added around matches.
            "snippet": (hit.highlight.get("summary") or hit.highlight.get("body") or [""])[0],
            "title_html": (hit.highlight.get("title") or [""])[0],
        }
        for hit in results.results
    ]
    pages = max(1, -(-results.count // query.page_size))
    pagination = {
        "number": query.page,
        "pages": pages,
        "previous": _page_link(params, query.page - 1) if query.page > 1 else None,
        "next": _page_link(params, query.page + 1) if query.page < pages else None,
    }
    return {
        "query": query,
        "q": query.q,
        "year_from": year_from if "year_from" not in errors else params.get("year_from"),
        "year_to": year_to if "year_to" not in errors else params.get("year_to"),
        "sort": query.sort,
        "sorts": sort_choices(),
        "facets": facet_forms,
        "results": results,
        "hits": hits,
        "count": results.count,
        "degraded": results.degraded,
        "errors": errors,
        "pagination": pagination,
        "language": language,
        "language_name": LANG_INFO.get(language, {}).get("name_local", language),
        "listing": listing,
        "searched": bool(query.q or query.filters or year_from or year_to) or bool(listing),
        # The collapsible filters (closed on narrow screens): how many are chosen, and open when
        # one of them was refused, so its error message's link leads to a visible field.
        "chosen_filters": sum(len(query.filters.get(facet.key, ())) for facet in shown)
        + sum(year is not None for year in (year_from, year_to)),
        "filters_open": any(field != "q" for field in errors),
    }


def reader_language() -> str:
    """The active language if the manual has it, else the manual's default locale."""
    language = get_language() or settings.LANGUAGE_CODE
    return language if language in settings.MANUAL_LOCALES else settings.MANUAL_LOCALES[0]


def reader_search(request: HttpRequest) -> HttpResponse:
    """``/<locale>/search/``: words, facets, counts, highlights; in the URL's language."""
    context = reader_search_context(request, reader_language())
    return render(request, "search/search.html", context, status=400 if context["errors"] else 200)
