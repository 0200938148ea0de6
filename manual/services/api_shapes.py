"""The read API's answers: what ``manual.services.read_model`` reads, shaped as the API's JSON.

Shaping only: every query is the read model's (constant in number whatever the number of items);
URLs are computed from Wagtail's cached site root paths.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from wagtail.models import Locale, Page

from core.api_errors import NotFound
from manual.case_facts import CASE_FACTS, fact_value
from manual.models import BODY_SECTIONS, CaseStudyIndexPage, CaseStudyPage, ManualHomePage, ManualSectionPage
from manual.services import read_model, routing, seo
from manual.services.api_blocks import body_blocks
from manual.services.case_filters import CaseFilters
from manual.services.locale_lookup import set_up_locales
from manual.services.media import image_sources
from manual.services.publication import public_pages
from manual.services.read_model import CaseSummary, Translations
from manual.services.rich_text import RichTextResolver
from manual.services.taxonomies import KINDS_BY_NAME, TAXONOMY_KINDS, label_lookup


class PageUrls:
    """URLs of pages and of their translations, from a batch's ``Translations``."""

    def __init__(self, request: HttpRequest | None, translations: Translations) -> None:
        self.request = request
        self.versions = translations

    def url(self, page: Page) -> str | None:
        return page.get_url(self.request)

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
    with translation.override(language_code):
        return {"code": code, "name": str(dict(countries).get(code, code))}


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
            **terms,
            "start_year": page.start_year,
            "end_year": page.end_year,
            "initiative_status": page.initiative_status,
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
        }
    )
    return item


def list_cases(
    request: HttpRequest | None,
    locale: Locale,
    filters: CaseFilters,
    page_number: int,
    page_size: int,
    fallback: bool = False,
) -> dict[str, Any]:
    found = read_model.list_cases(locale, filters, page_number, page_size, fallback)
    urls = PageUrls(request, found.translations)
    return {"count": found.count, "results": [case_summary(case, urls, locale) for case in found.cases]}


def case_detail(request: HttpRequest | None, page_id: int, locale_code: str | None, fallback: bool) -> dict[str, Any]:
    case = read_model.read_case_by_id(page_id, locale_code, fallback)
    page = case.page
    urls = PageUrls(request, case.translations)
    item = case_summary(case, urls, case.locale)
    coordinates = case.coordinates
    item.update(
        {
            "region": page.region,
            "coordinates": {"lat": float(coordinates[0]), "lon": float(coordinates[1])} if coordinates else None,
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


def section_tree(request: HttpRequest | None, locale: Locale, fallback: bool = False) -> dict[str, Any]:
    """Every published section of a locale as a tree (one query for the pages, one for translations)."""
    found = read_model.list_sections(locale, fallback)
    urls = PageUrls(request, found.translations)
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for page in found.sections:
        node = section_item(page, urls, locale)
        node["children"] = []
        nodes[page.path] = node
        parent = nodes.get(page.path[: -Page.steplen])
        (parent["children"] if parent is not None else roots).append(node)
    return {"count": len(found.sections), "results": roots}


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


# The `type` of a page found by its path (``page_at_path``); the names of the case and section types
# are those of /api/v1/translations/status (``translation_status.PAGE_TYPES``).
FOUND_PAGE_TYPES: dict[type[Page], str] = {
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
    return {"type": FOUND_PAGE_TYPES.get(page_type, "page"), "id": page_id, "detail": detail}


def taxonomy_terms(kind_name: str, locale: Locale) -> dict[str, Any]:
    kind = KINDS_BY_NAME.get(kind_name)
    if kind is None:
        raise NotFound(
            _("Unknown taxonomy %(kind)s; known: %(known)s, countries.")
            % {"kind": repr(kind_name), "known": ", ".join(KINDS_BY_NAME)},
            "kind",
        )
    terms = label_lookup(locale.language_code).terms_of(kind.model)
    return {"count": len(terms), "results": terms}


def country_terms(locale: Locale) -> dict[str, Any]:
    """Countries that have at least one published case, named in the requested language."""
    results = []
    for code in read_model.case_countries():
        country = _country(code, locale.language_code)
        results.append({"code": code, "label": country["name"], "description": "", "translated": True})
    return {"count": len(results), "results": results}


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
    return {"count": len(results), "results": results}
