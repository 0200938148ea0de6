"""The reader's search page and the shared GET form of the case list (HTML, no JavaScript).

A view parses the query string, calls ``search.services.search`` and shapes the answer for the
templates. The case list (``CaseStudyIndexPage``) uses the same form restricted to case studies.
Both always ask for the fallback, so cases not yet translated into the visitor's language are
found in the source language, marked as such.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from search import services
from search.documents import FACET_KEYS
from search.query import SORTS, build_query
from site_config.api_errors import InvalidInput

PAGE_SIZE = 20
YEAR_MIN, YEAR_MAX = 1900, 2100


def facet_titles() -> dict[str, str]:
    return {
        "type": _("Type"),
        "country": _("Country"),
        "topic": _("Topic"),
        "tool": pgettext("search facet", "eParticipation tool"),
        "participation_level": _("Participation level"),
        "government_level": _("Government level"),
        "stage": _("Policy-cycle stage"),
    }


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


def reader_search_context(request: HttpRequest, language: str, case_list: bool = False) -> dict[str, Any]:
    """Run the visitor's GET search in ``language`` and shape facets, results and pagination."""
    params = request.GET
    errors: dict[str, str] = {}
    keys = [key for key in FACET_KEYS if not (case_list and key == "type")]
    filters = {key: params.getlist(key) for key in keys}
    if case_list:
        filters["type"] = ["case_study"]
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
                "filters": {"type": filters.get("type", [])} if case_list else {},
                "year_from": None,
                "year_to": None,
                "page": 1,
            }
        )
    results = services.search(query)

    titles = facet_titles()
    facets = [
        {
            "key": key,
            "title": titles[key],
            "values": [
                {
                    "value": value.value,
                    "label": value.label,
                    "count": value.count,
                    "checked": value.value in query.filters.get(key, ()),
                }
                for value in results.facets.get(key, [])
            ],
        }
        for key in keys
    ]
    hits = [
        {
            "hit": hit,
            "language_name": LANG_INFO.get(hit.locale, {}).get("name_local", hit.locale),
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
        "facets": facets,
        "results": results,
        "hits": hits,
        "count": results.count,
        "degraded": results.degraded,
        "errors": errors,
        "pagination": pagination,
        "language": language,
        "language_name": LANG_INFO.get(language, {}).get("name_local", language),
        "case_list": case_list,
        "searched": bool(query.q or query.filters or year_from or year_to) or case_list,
    }


def reader_search(request: HttpRequest) -> HttpResponse:
    """``/<locale>/search/``: words, facets, counts, highlights; in the URL's language."""
    language = get_language() or settings.LANGUAGE_CODE
    if language not in settings.MANUAL_LOCALES:
        language = settings.MANUAL_LOCALES[0]
    context = reader_search_context(request, language)
    return render(request, "search/search.html", context, status=400 if context["errors"] else 200)
