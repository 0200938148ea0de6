"""The read API's answers: what ``manual.services.read_model`` reads, shaped as the API's JSON.

Shaping only: every query is the read model's (constant in number whatever the number of items);
URLs are computed from Wagtail's cached site root paths.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page

from core.api_errors import InvalidInput, NotFound
from core.lists import only, page_links, select_fields, unpaged
from manual import schemas
from manual.case_facts import CASE_FACTS, fact_value
from manual.models import (
    BODY_SECTIONS,
    CaseStudyIndexPage,
    CaseStudyPage,
    InitiativeStatus,
    ManualHomePage,
    ManualSectionPage,
)
from manual.services import read_model, routing, seo
from manual.services.api_blocks import body_blocks
from manual.services.case_filters import CaseFilters
from manual.services.locale_lookup import resolve_locale, set_up_locales
from manual.services.media import image_sources
from manual.services.page_urls import BulkUrls
from manual.services.publication import public_pages
from manual.services.read_model import CaseSummary, Translations
from manual.services.rich_text import RichTextResolver
from manual.services.taxonomies import KINDS_BY_NAME, TAXONOMY_KINDS, label_lookup
from manual.taxonomy_registry import country_names


class PageUrls:
    """URLs of pages and of their translations, from a batch's ``Translations``."""

    def __init__(self, request: HttpRequest | None, translations: Translations) -> None:
        self.bulk = BulkUrls(request)
        self.versions = translations

    def url(self, page: Page) -> str | None:
        return self.bulk.url(page)

    def translations(self, page: Page) -> dict[str, dict[str, Any]]:
        return {
            other.locale.language_code: {"id": other.pk, "url": self.url(other)}
            for other in self.versions.of(page)
            if other.pk != page.pk
        }


def _base_item(page: Page, urls: PageUrls, requested: Locale) -> dict[str, Any]:
    return {
        "id": page.pk,
        "translation_key": str(page.translation_key),
        "locale": page.locale.language_code,
        "url": urls.url(page),
        "title": page.title,
        "translations": urls.translations(page),
        "fallback": page.locale_id != requested.pk,
    }


def _country(code: str, language_code: str) -> dict[str, str]:
    # Names from the per-language table built once (the catalogues do not change while running).
    return {"code": code, "name": country_names(language_code).get(code, code)}


@cache
def _status_labels(language_code: str) -> dict[str, str]:
    with translation.override(language_code):
        return {value: str(label) for value, label in InitiativeStatus.choices}


def _status_label(status: str, language_code: str) -> str:
    return _status_labels(language_code).get(status, status)


def _coordinates(case: CaseSummary) -> dict[str, float] | None:
    coordinates = case.coordinates
    return {"lat": float(coordinates[0]), "lon": float(coordinates[1])} if coordinates else None


def case_summary(case: CaseSummary, urls: PageUrls, requested: Locale) -> dict[str, Any]:
    page: CaseStudyPage = case.page
    item = _base_item(page, urls, requested)
    # Each taxonomy under its case field: a list of terms, or one term (None) for a single kind.
    terms = {
        kind.field: case.terms[kind.field] if kind.many else next(iter(case.terms[kind.field]), None)
        for kind in TAXONOMY_KINDS
    }
    # A Country at run time; django-countries' stubs give the django plugin no instance type for the
    # field, which it then reads as the CharField's str.
    country_code: str = page.country.code  # type: ignore[attr-defined]
    item.update(
        {
            "summary": page.summary,
            "organisation": page.organisation,
            "city": page.city,
            "country": _country(country_code, page.locale.language_code),
            "region": page.region,
            "coordinates": _coordinates(case),
            **terms,
            "start_year": page.start_year,
            "end_year": page.end_year,
            "initiative_status": page.initiative_status,
            "initiative_status_label": _status_label(page.initiative_status, requested.language_code),
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
        }
    )
    return item


# The names ``fields=`` may select in each list's items: its item schema's fields.
CASE_CARD_FIELDS = tuple(schemas.CaseCard.model_fields)
PAGE_CARD_FIELDS = tuple(schemas.PageCard.model_fields)
SECTION_NODE_FIELDS = tuple(name for name in schemas.SectionNode.model_fields if name != "children")


def _thumbnail(image: Any) -> dict[str, Any] | None:
    """A card's picture: the rendition the list prefetched with its cases (``read_model.THUMBNAIL``)."""
    if image is None:
        return None
    rendition = image.get_rendition(read_model.THUMBNAIL)
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height, "alt": rendition.alt}


def case_card(case: CaseSummary, urls: PageUrls, requested: Locale, names: tuple[str, ...]) -> dict[str, Any]:
    """An item of the case list with the fields ``names``: the summary, its type and its thumbnail
    (read only when asked for: ``fields=`` without it spares its queries)."""
    item = case_summary(case, urls, requested)
    item["type"] = PAGE_TYPES[CaseStudyPage]
    if "thumbnail" in names:
        item["thumbnail"] = _thumbnail(case.page.hero_image)
    return only(item, names)


def _list_locale(locale_code: str | None, parent: Page | None) -> Locale:
    """The locale a list is read in: the one asked for, else the parent's (``child_of``), else the default."""
    if locale_code is None and parent is not None:
        return parent.locale
    return resolve_locale(locale_code)


def list_cases(
    request: HttpRequest,
    locale_code: str | None,
    filters: CaseFilters,
    page_number: int,
    page_size: int,
    fallback: bool = False,
    *,
    ordering: str = "title",
    child_of: int | None = None,
    fields: str | None = None,
) -> dict[str, Any]:
    names = select_fields(fields, CASE_CARD_FIELDS)
    parent = read_model.public_parent(child_of, CaseStudyIndexPage) if child_of is not None else None
    locale = _list_locale(locale_code, parent)
    found = read_model.list_cases(
        locale, filters, page_number, page_size, fallback, ordering, parent, thumbnails="thumbnail" in names
    )
    urls = PageUrls(request, found.translations)
    return {
        "count": found.count,
        **page_links(request, page_number, page_size, found.count),
        "results": [case_card(case, urls, locale, names) for case in found.cases],
    }


def case_detail(request: HttpRequest | None, page_id: int, locale_code: str | None, fallback: bool) -> dict[str, Any]:
    case = read_model.read_case_by_id(page_id, locale_code, fallback)
    page = case.page
    urls = PageUrls(request, case.translations)
    item = case_summary(case, urls, case.locale)
    item.update(
        {
            "population": page.population,
            # Choices as code and label in the requested locale (manual.case_facts).
            **{fact.name: fact_value(fact, page, case.locale.language_code) for fact in CASE_FACTS},
            "body": _case_body(request, page, case.locale),
            "metrics": [
                {"label": metric.label, "value": float(metric.value), "unit": metric.unit} for metric in case.metrics
            ],
            "links": [{"title": link.title, "url": link.url} for link in case.links],
            "contacts": [
                {"name": c.name, "role": c.role, "organisation": c.organisation, "email": c.email, "url": c.url}
                for c in case.contacts
            ],
            "documents": [{"id": d.pk, "title": d.title, "url": d.url} for d in case.documents],
            "related": [
                {
                    "id": related.shown.pk,
                    "title": related.shown.title,
                    "url": urls.url(related.shown),
                    "locale": related.shown.locale.language_code,
                }
                for related in case.related
            ],
            "hero_image": _image(page.hero_image),
            "licence": {"code": page.licence, "name": page.get_licence_display()},
            "attribution": page.attribution,
            "seo": seo.seo_text(page).as_dict(),
        }
    )
    return item


def _case_body(request: HttpRequest | None, page: CaseStudyPage, locale: Locale) -> dict[str, str]:
    """The rich-text sections of a case, links resolved for readers of ``locale`` in one batch."""
    sources = {name: getattr(page, name) or "" for name in BODY_SECTIONS}
    resolver = RichTextResolver(request, locale)
    resolver.add_all(sources.values())
    return {name: resolver.expand(source) for name, source in sources.items()}


def _image(image: Any) -> dict[str, Any] | None:
    if image is None:
        return None
    rendition = image.get_rendition("max-1600x1000|format-webp")
    return {
        **image_sources(image),
        "url": rendition.url,
        "width": rendition.width,
        "height": rendition.height,
    }


def section_item(page: ManualSectionPage, urls: PageUrls, requested: Locale) -> dict[str, Any]:
    item = _base_item(page, urls, requested)
    item["intro"] = page.intro
    return item


def section_tree(
    request: HttpRequest | None,
    locale_code: str | None,
    fallback: bool = False,
    child_of: int | None = None,
    fields: str | None = None,
) -> dict[str, Any]:
    """Every published section of a locale as a tree (one query for the pages, one for translations),
    or the sub-tree under the section ``child_of`` (in the requested locale's tree, else its own);
    each node with the fields ``fields=`` selects, and its children."""
    names = select_fields(fields, SECTION_NODE_FIELDS)
    parent = read_model.public_parent(child_of, ManualSectionPage) if child_of is not None else None
    locale = _list_locale(locale_code, parent)
    found = read_model.list_sections(locale, fallback)
    urls = PageUrls(request, found.translations)
    nodes: dict[str, dict[str, Any]] = {}
    by_key: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for page in found.sections:
        node = section_item(page, urls, locale)
        node["children"] = []
        nodes[page.path] = by_key[node["translation_key"]] = node
        parent_node = nodes.get(page.path[: -Page.steplen])
        (parent_node["children"] if parent_node is not None else roots).append(node)
    if parent is not None:
        # The section as this locale's tree has it (a translation, or itself); none when not there.
        top = by_key.get(str(parent.translation_key))
        roots = top["children"] if top is not None else []
    # count: every section of the tree, not only the roots.
    return {**unpaged([_selected(node, names) for node in roots]), "count": _size(roots)}


def _selected(node: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {**only(node, names), "children": [_selected(child, names) for child in node["children"]]}


def _size(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + _size(node["children"]) for node in nodes)


def section_detail(
    request: HttpRequest | None, page_id: int, locale_code: str | None, fallback: bool
) -> dict[str, Any]:
    section = read_model.read_section_by_id(page_id, locale_code, fallback)
    page = section.page
    urls = PageUrls(request, section.translations)
    item = section_item(page, urls, section.locale)
    item["body"] = body_blocks(
        request,
        section.locale,
        page.body,
        lambda case, translations: case_summary(case, PageUrls(request, translations), section.locale),
    )
    item["children"] = [section_item(child, urls, section.locale) for child in section.children]
    item["seo"] = seo.seo_text(page).as_dict()
    return item


# The `type` of a page in lists and found by its path (``schemas.PageType``); the names of the case and
# section types are those of /api/v1/translations/status (``translation_status.PAGE_TYPES``).
PAGE_TYPES: dict[type[Page], str] = {
    CaseStudyPage: "case_study",
    ManualSectionPage: "section",
    ManualHomePage: "home",
    CaseStudyIndexPage: "case_index",
}


def page_item(request: HttpRequest | None, page_id: int, page_type: type[Page] = Page) -> dict[str, Any]:
    """A public page without a detail route of its own (the home page, the case index): its item,
    read as ``page_type`` (its intro is the fallback of its SEO description)."""
    page = public_pages(page_type).select_related("locale").get(pk=page_id)
    item = _base_item(page, PageUrls(request, Translations([page])), page.locale)
    item["seo"] = seo.seo_text(page).as_dict()
    return item


def page_at_path(request: HttpRequest, path: str) -> dict[str, Any]:
    """The public page a reader's ``path`` shows: its type, id, and its type's detail (``detail``)."""
    page_id, page_type = routing.public_page_at(request, path)
    if page_type is CaseStudyPage:
        detail = case_detail(request, page_id, None, False)
    elif page_type is ManualSectionPage:
        detail = section_detail(request, page_id, None, False)
    else:
        detail = page_item(request, page_id, page_type)
    return {"type": PAGE_TYPES.get(page_type, "page"), "id": page_id, "detail": detail}


def page_card(page: Page, urls: PageUrls, requested: Locale) -> dict[str, Any]:
    item = _base_item(page, urls, requested)
    item["type"] = PAGE_TYPES.get(page.specific_class, "page")
    return item


def list_pages(
    request: HttpRequest,
    locale_code: str | None,
    page_type: str | None,
    child_of: int | None,
    page_number: int,
    page_size: int,
    fallback: bool = False,
    fields: str | None = None,
) -> dict[str, Any]:
    """Public pages of a locale in tree order, of one ``page_type`` and/or under the page ``child_of``."""
    names = select_fields(fields, PAGE_CARD_FIELDS)
    models = {name: model for model, name in PAGE_TYPES.items()}
    if page_type is not None and page_type not in models:
        raise InvalidInput(
            "type",
            _("Unknown page type %(type)s; known: %(known)s.")
            % {"type": repr(page_type[:40]), "known": ", ".join(models)},
            "unknown_type",
        )
    parent = read_model.public_parent(child_of) if child_of is not None else None
    locale = _list_locale(locale_code, parent)
    found = read_model.list_pages(
        locale, models.get(page_type) if page_type else None, parent, page_number, page_size, fallback
    )
    urls = PageUrls(request, found.translations)
    return {
        "count": found.count,
        **page_links(request, page_number, page_size, found.count),
        "results": [only(page_card(page, urls, locale), names) for page in found.pages],
    }


def taxonomy_terms(kind_name: str, locale: Locale) -> dict[str, Any]:
    kind = KINDS_BY_NAME.get(kind_name)
    if kind is None:
        raise NotFound(
            _("Unknown taxonomy %(kind)s; known: %(known)s, countries.")
            % {"kind": repr(kind_name), "known": ", ".join(KINDS_BY_NAME)},
            "kind",
        )
    return unpaged(label_lookup(locale.language_code).terms_of(kind.model))


def country_terms(locale: Locale) -> dict[str, Any]:
    """Countries that have at least one published case, named in the requested language."""
    results = []
    for code in read_model.case_countries():
        country = _country(code, locale.language_code)
        results.append({"code": code, "label": country["name"], "description": "", "translated": True})
    return unpaged(results)


def locale_list() -> dict[str, Any]:
    default = Locale.get_default()
    found = set_up_locales()
    results = [
        {
            "code": code,
            "name": LANG_INFO[code]["name"],
            "name_local": LANG_INFO[code]["name_local"],
            "default": found.get(code) is not None and found[code].pk == default.pk,
            "bidi": LANG_INFO[code].get("bidi", False),
        }
        for code in settings.MANUAL_LOCALES
    ]
    return unpaged(results)
