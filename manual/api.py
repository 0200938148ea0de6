"""Read routes of the manual (cases, sections, taxonomies, locales) on the one API object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema
from ninja.renderers import JSONRenderer

from core.api_errors import ERROR_RESPONSES, MAX_ID, MAX_PAGE
from core.lists import FieldsParam, page_links
from core.openapi import documented
from manual import schemas, taxonomy_registry
from manual.services import api_shapes, case_filters, read_model
from manual.services.locale_lookup import resolve_locale
from manual.services.routing import MAX_PATH_LENGTH
from manual.services.translation_status import PAGE_TYPES, status_report, term_translation_status
from search.filters import MAX_VALUES_PER_FACET, clean_filters, facet_filter_schema

# The filter contract of /api/v1/search for the facets that are case filters (every declared
# filter is one, manual.searchable): the same parameters, validator and messages. The schema is
# built when the routes are, so type checkers see only its base class.
if TYPE_CHECKING:
    CaseFilterQuery = Schema
else:
    CaseFilterQuery = facet_filter_schema(only=case_filters.filter_keys())
TAXONOMY_PATHS = tuple(
    item.kind for item in taxonomy_registry.case_filters() if taxonomy_registry.is_taxonomy_route(item)
)

router = Router(tags=["manual"])

LocaleParam = Query(None, description="Locale code (default: the manual's default locale).")
# Of a list that takes `child_of`: read in the parent's locale unless another is asked for.
ChildLocaleParam = Query(
    None, description="Locale code (default: the locale of `child_of`, else the manual's default locale)."
)
FallbackParam = Query(
    False, description="Answer the source-language version, marked `fallback`, when no translation exists."
)
PageParam = Query(1, ge=1, le=MAX_PAGE, description=f"Page number, from 1 to {MAX_PAGE}.")
PageSizeParam = Query(20, ge=1, le=100, description="Items per page, at most 100.")


# The API object's renderer (ninja's default: site_config.api sets none); a router template knows no API.
JSON_RENDERER = JSONRenderer()


def unvalidated(request: HttpRequest, answer: dict) -> HttpResponse:
    """``answer`` as the route's JSON, rendered as ninja renders it but not validated against the
    route's response schema (which stays what the OpenAPI document states).

    For the answers ``api_shapes`` builds as plain dicts of the schema's shape and types: ninja
    validates each nested object of them through its Django attribute getter, 19 ms of a list of 50
    cards at 10,000 cases (docs/performance.md). ``tests/test_api_lists.py`` checks that such an
    answer is the one the schema's validation gives.
    """
    content = JSON_RENDERER.render(request, answer, response_status=200)
    return HttpResponse(content, content_type=f"{JSON_RENDERER.media_type}; charset={JSON_RENDERER.charset}")


# A list's answer leaves out the fields `fields=` dropped (core.lists.selectable), rather than filling
# them with defaults.
@router.get(
    "cases",
    response={200: schemas.CaseList, **ERROR_RESPONSES},
    exclude_unset=True,
    summary="List case studies",
    description="Filters as `/api/v1/search` takes them: OR inside a key, AND across keys; at most "
    f"{MAX_VALUES_PER_FACET} values a key, empty values ignored; an unknown code is a 400 `unknown_code` "
    "naming the filter. `next` and `previous` are the URLs of the neighbouring pages.",
)
def list_cases(
    request: HttpRequest,
    locale: str | None = ChildLocaleParam,
    filters: CaseFilterQuery = Query(...),
    child_of: int | None = Query(
        None, ge=1, le=MAX_ID, description="Only the cases of this case index (a published case index's id)."
    ),
    ordering: str = documented(
        Query("title", description="The order: a field, ascending, or `-` and the field, descending; ties by title."),
        enum=list(read_model.CASE_ORDERINGS),
    ),
    fields: str | None = FieldsParam,
    page: int = PageParam,
    page_size: int = PageSizeParam,
    fallback: bool = FallbackParam,
):
    codes = clean_filters(filters.model_dump())  # filter key -> checked codes (case_filters.CaseFilters)
    answer = api_shapes.list_cases(
        request, locale, codes, page, page_size, fallback, ordering=ordering, child_of=child_of, fields=fields
    )
    return unvalidated(request, answer)


@router.get("cases/{int:case_id}", response={200: schemas.CaseDetail, **ERROR_RESPONSES}, summary="Read a case study")
def read_case(
    request: HttpRequest,
    case_id: int = Path(..., ge=1, le=MAX_ID, description="The page id of a case study."),
    locale: str | None = LocaleParam,
    fallback: bool = FallbackParam,
):
    return api_shapes.case_detail(request, case_id, locale, fallback)


@router.get(
    "sections",
    response={200: schemas.SectionTree, **ERROR_RESPONSES},
    exclude_unset=True,
    summary="The manual's sections as a tree",
    description="Every published section of the locale, each with its `children`, or the sub-tree under one "
    "section (`child_of`). `fields=` selects the fields of every node; `children` is always there. `count` "
    "is the number of sections in the answer's tree, not only its roots.",
)
def list_sections(
    request: HttpRequest,
    locale: str | None = ChildLocaleParam,
    fallback: bool = FallbackParam,
    child_of: int | None = Query(
        None,
        ge=1,
        le=MAX_ID,
        description="Only the sections under this published section (its id in any locale): its sub-tree.",
    ),
    fields: str | None = FieldsParam,
):
    return api_shapes.section_tree(request, locale, fallback, child_of=child_of, fields=fields)


@router.get(
    "sections/{int:section_id}", response={200: schemas.SectionDetail, **ERROR_RESPONSES}, summary="Read a section"
)
def read_section(
    request: HttpRequest,
    section_id: int = Path(..., ge=1, le=MAX_ID, description="The page id of a section."),
    locale: str | None = LocaleParam,
    fallback: bool = FallbackParam,
):
    return api_shapes.section_detail(request, section_id, locale, fallback)


@router.get("taxonomies/{kind}", response={200: schemas.TaxonomyList, **ERROR_RESPONSES}, summary="Terms of a taxonomy")
def list_terms(
    request: HttpRequest,
    kind: str = documented(Path(...), enum=list(TAXONOMY_PATHS)),
    locale: str | None = LocaleParam,
):
    """`kind` is `countries` or a taxonomy (the enum lists them)."""
    resolved = resolve_locale(locale)
    if kind == taxonomy_registry.COUNTRY.kind:
        return api_shapes.country_terms(resolved)
    return api_shapes.taxonomy_terms(kind, resolved)


@router.get(
    "pages",
    response={200: schemas.PageList, **ERROR_RESPONSES},
    exclude_unset=True,
    summary="List pages of any type",
    description="Published pages of a locale in the manual's order (its tree), as Wagtail's API v2 lists "
    "them: of one `type`, under one page (`child_of`: its children), or both; e.g. a section's "
    "sub-sections, a home page's chapters and case index. Each item's `type` says which detail route "
    "reads it (`/cases/{id}`, `/sections/{id}`).",
)
def list_pages(
    request: HttpRequest,
    type: str | None = documented(  # noqa: A002 - the API's name
        Query(None, description="Only pages of this type."), enum=list(api_shapes.PAGE_TYPES.values())
    ),
    child_of: int | None = Query(None, ge=1, le=MAX_ID, description="Only the children of this published page."),
    locale: str | None = ChildLocaleParam,
    fields: str | None = FieldsParam,
    page: int = PageParam,
    page_size: int = PageSizeParam,
    fallback: bool = FallbackParam,
):
    return unvalidated(
        request, api_shapes.list_pages(request, locale, type, child_of, page, page_size, fallback, fields)
    )


@router.get(
    "pages/find",
    response={200: schemas.FoundAtPath, **ERROR_RESPONSES},
    summary="Find the page a reader's URL path shows",
    description="The public page at `path` (as a reader's URL has it, language prefix included): its "
    "`type` (`case_study`, `section`, `home` for a locale's home page, `case_index` for the case "
    "index, `page` for any other), its `id`, and `detail`: the answer of `/cases/{id}` or "
    "`/sections/{id}` for a case or a section, the page's item (id, title, locale, url, "
    "translations) for the others. 404 when no published page has that path (drafts, untranslated "
    "stand-ins and pages in review have none).",
)
def find_page(
    request: HttpRequest,
    path: str = Query(
        ...,
        min_length=1,
        max_length=MAX_PATH_LENGTH,
        description="The path of a reader's URL, e.g. `/ru/cases/decide-madrid/`.",
        example="/en/cases/decide-madrid/",
    ),
):
    return api_shapes.page_at_path(request, path)


@router.get("locales", response={200: schemas.LocaleList, **ERROR_RESPONSES}, summary="Configured locales")
def list_locales(request: HttpRequest):
    return api_shapes.locale_list()


@router.get(
    "translations/status",
    response={200: schemas.TranslationStatusList, **ERROR_RESPONSES},
    summary="Translation status of the manual's pages",
    tags=["translations"],
)
def translation_status(
    request: HttpRequest,
    locale: str | None = Query(None, description="Only this target locale (default: every non-default locale)."),
    type: str | None = documented(  # noqa: A002 - the API's name
        Query(None, description="`case_study` or `section`."), enum=list(PAGE_TYPES)
    ),
    page: int = PageParam,
    page_size: int = PageSizeParam,
):
    """Per source page (default locale) and target locale: `present` (a real translation, not an
    alias), `live`, `submitted` (wagtail-localize is synchronising it), `percent` translated, and
    string counts: `outdated` (changed in the source since translated), `machine`, `human`, and
    `reviewed` (machine strings a human confirmed). `taxonomies`: per target locale, the taxonomy
    terms without a label in it."""
    report = status_report(locale, type, page, page_size)
    report.update(page_links(request, page, page_size, report["count"]))
    report["taxonomies"] = term_translation_status(locale)
    return report
