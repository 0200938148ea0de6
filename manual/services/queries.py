"""Read side of the manual: the shapes the API (and later the reader) answer with.

Every function costs a constant number of queries whatever the number of items: related rows are
prefetched in bulk and URLs are computed from Wagtail's cached site root paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from wagtail.models import Locale, Page

from manual.models import (
    BODY_SECTIONS,
    CaseStudyPage,
    EParticipationTool,
    GovernmentLevel,
    ManualSectionPage,
    ParticipationLevel,
    PolicyStage,
    RelatedCase,
    Topic,
)
from manual.services.case_filters import CaseFilters, filter_cases, validate_filters
from manual.services.publication import public_pages
from manual.services.taxonomies import TaxonomyLabels, label_lookup
from site_config.api_errors import InvalidInput, NotFound


def resolve_locale(code: str | None, field: str = "locale") -> Locale:
    """The configured Locale for ``code`` (default locale when empty); 400 names the field otherwise."""
    if not code:
        return Locale.get_default()
    code = code.lower()
    if code not in settings.MANUAL_LOCALES:
        raise InvalidInput(
            field,
            _("Unknown locale %(code)s; configured locales: %(locales)s.")
            % {"code": repr(code), "locales": ", ".join(settings.MANUAL_LOCALES)},
            "unknown_locale",
        )
    try:
        return Locale.objects.get(language_code=code)
    except Locale.DoesNotExist:
        raise InvalidInput(
            field,
            _("Locale %(code)s is configured but not set up; run manage.py sync_locales.") % {"code": repr(code)},
            "unknown_locale",
        ) from None


def target_locales(locale_code: str | None) -> list[Locale]:
    """The locales translations go into: ``locale_code`` (validated) or every configured one but the default."""
    default = Locale.get_default()
    if locale_code:
        targets = [resolve_locale(locale_code)]
    else:
        targets = list(Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES).order_by("language_code"))
    return [locale for locale in targets if locale.pk != default.pk]


def _real_pages(model: type[Page]) -> QuerySet:
    """Live pages that are content in their own right (aliases and stand-ins are not)."""
    return public_pages(model)


def localized_pages(model: type[Page], locale: Locale, fallback: bool) -> QuerySet:
    """Pages of ``locale``; with ``fallback`` also default-locale pages that have no translation in it."""
    pages = _real_pages(model)
    default = Locale.get_default()
    if not fallback or locale.pk == default.pk:
        return pages.filter(locale=locale)
    translated = _real_pages(Page).filter(locale=locale, translation_key=OuterRef("translation_key"))
    return pages.filter(Q(locale=locale) | Q(locale=default) & ~Exists(translated))


class PageUrls:
    """Page URLs and translation maps for a batch of pages, in one query."""

    def __init__(self, request: HttpRequest | None, pages: Iterable[Page]) -> None:
        self.request = request
        keys = {page.translation_key for page in pages}
        self.by_key: dict[Any, dict[str, Page]] = defaultdict(dict)
        if keys:
            translations = (
                _real_pages(Page)
                .filter(translation_key__in=keys)
                .select_related("locale")
                .only("id", "translation_key", "url_path", "locale__language_code", "depth", "path")
            )
            for page in translations:
                self.by_key[page.translation_key][page.locale.language_code] = page

    def url(self, page: Page) -> str | None:
        return page.get_url(self.request)

    def translations(self, page: Page) -> dict[str, dict[str, Any]]:
        return {
            code: {"id": other.pk, "url": self.url(other)}
            for code, other in sorted(self.by_key.get(page.translation_key, {}).items())
            if other.pk != page.pk
        }

    def in_locale(self, page: Page, language_code: str) -> Page | None:
        return self.by_key.get(page.translation_key, {}).get(language_code)


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


def case_queryset() -> QuerySet:
    return CaseStudyPage.objects.select_related("locale", "government_level", "participation_level").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("id", "code")),
        Prefetch("tools", queryset=EParticipationTool.objects.only("id", "code")),
        Prefetch("stages", queryset=PolicyStage.objects.only("id", "code")),
    )


def case_summary(page: CaseStudyPage, urls: PageUrls, labels: TaxonomyLabels, requested: Locale) -> dict[str, Any]:
    item = _base_item(page, urls, requested)
    language = page.locale.language_code
    item.update(
        {
            "summary": page.summary,
            "organisation": page.organisation,
            "city": page.city,
            "country": _country(page.country.code, language),
            "government_level": labels.term(GovernmentLevel, page.government_level.code)
            if page.government_level
            else None,
            "participation_level": labels.term(ParticipationLevel, page.participation_level.code)
            if page.participation_level
            else None,
            "topics": [labels.term(Topic, term.code) for term in page.topics.all()],
            "tools": [labels.term(EParticipationTool, term.code) for term in page.tools.all()],
            "stages": [labels.term(PolicyStage, term.code) for term in page.stages.all()],
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
    cases = filter_cases(localized_pages(CaseStudyPage, locale, fallback), validate_filters(filters))
    count = cases.count()
    start = (page_number - 1) * page_size
    window = list(case_queryset().filter(pk__in=cases.values("pk")).order_by("title", "pk")[start : start + page_size])
    urls = PageUrls(request, window)
    labels = label_lookup(locale.language_code)
    return {"count": count, "results": [case_summary(page, urls, labels, locale) for page in window]}


def find_translation(page_id: int, model: type[Page], locale_code: str | None, fallback: bool) -> tuple[Page, Locale]:
    """The page ``page_id`` or, with a locale, its translation there (the source when ``fallback``)."""
    source = _real_pages(model).filter(pk=page_id).first()
    if source is None:
        raise NotFound(_("No published %(type)s with id %(id)s.") % {"type": model._meta.verbose_name, "id": page_id})
    if not locale_code:
        return source, source.locale
    locale = resolve_locale(locale_code)
    translated = _real_pages(model).filter(translation_key=source.translation_key, locale=locale).first()
    if translated is not None:
        return translated, locale
    if fallback:
        default_version = (
            _real_pages(model).filter(translation_key=source.translation_key, locale=Locale.get_default()).first()
        )
        return default_version or source, locale
    raise NotFound(
        _("This %(type)s has no translation in %(locale)s; add fallback=1 for the source.")
        % {"type": model._meta.verbose_name, "locale": repr(locale.language_code)},
        "locale",
    )


def case_detail(request: HttpRequest | None, page_id: int, locale_code: str | None, fallback: bool) -> dict[str, Any]:
    found, requested = find_translation(page_id, CaseStudyPage, locale_code, fallback)
    page = (
        case_queryset()
        .select_related("hero_image")
        .prefetch_related(
            "metrics",
            "links",
            "contacts",
            Prefetch("documents__document"),
            Prefetch("related_cases", queryset=RelatedCase.objects.select_related("case__locale")),
        )
        .get(pk=found.pk)
    )
    related = [link.case for link in page.related_cases.all() if link.case.live]
    urls = PageUrls(request, [page, *related])
    language = requested.language_code
    labels = label_lookup(language)
    item = case_summary(page, urls, labels, requested)
    related_items = []
    for case in related:
        shown = urls.in_locale(case, language) or urls.in_locale(case, page.locale.language_code) or case
        related_items.append(
            {"id": shown.pk, "title": shown.title, "url": urls.url(shown), "locale": shown.locale.language_code}
        )
    licence = page.get_licence_display()
    item.update(
        {
            "region": page.region,
            "coordinates": {"lat": float(page.latitude), "lon": float(page.longitude)}
            if page.latitude is not None and page.longitude is not None
            else None,
            "population": page.population,
            "body": {name: _rich_text(getattr(page, name)) for name in BODY_SECTIONS},
            "metrics": [
                {"label": metric.label, "value": float(metric.value), "unit": metric.unit}
                for metric in page.metrics.all()
            ],
            "links": [{"title": link.title, "url": link.url} for link in page.links.all()],
            "contacts": [
                {"name": c.name, "role": c.role, "organisation": c.organisation, "email": c.email, "url": c.url}
                for c in page.contacts.all()
            ],
            "documents": [
                {"id": d.document.pk, "title": d.document.title, "url": d.document.url} for d in page.documents.all()
            ],
            "related": related_items,
            "hero_image": _image(page.hero_image),
            "licence": {"code": page.licence, "name": licence},
            "attribution": page.attribution,
        }
    )
    return item


def _rich_text(source: str) -> str:
    from wagtail.rich_text import expand_db_html

    return expand_db_html(source) if source else ""


def _image(image: Any) -> dict[str, Any] | None:
    if image is None:
        return None
    rendition = image.get_rendition("max-1600x1000|format-webp")
    return {
        "id": image.pk,
        "title": image.title,
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
    pages = list(localized_pages(ManualSectionPage, locale, fallback).select_related("locale").order_by("path"))
    urls = PageUrls(request, pages)
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for page in pages:
        node = section_item(page, urls, locale)
        node["children"] = []
        nodes[page.path] = node
        parent = nodes.get(page.path[: -Page.steplen])
        (parent["children"] if parent is not None else roots).append(node)
    return {"count": len(pages), "results": roots}


def section_detail(
    request: HttpRequest | None, page_id: int, locale_code: str | None, fallback: bool
) -> dict[str, Any]:
    found, requested = find_translation(page_id, ManualSectionPage, locale_code, fallback)
    page = ManualSectionPage.objects.select_related("locale").get(pk=found.pk)
    children = list(_real_pages(ManualSectionPage).child_of(page).select_related("locale").order_by("path"))
    urls = PageUrls(request, [page, *children])
    item = section_item(page, urls, requested)
    item["body"] = page.body.stream_block.get_api_representation(page.body, {"request": request})
    item["children"] = [section_item(child, urls, requested) for child in children]
    return item


def taxonomy_terms(kind_name: str, locale: Locale) -> dict[str, Any]:
    from manual.services.taxonomies import KINDS_BY_NAME

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
    codes: Sequence[str] = sorted(set(_real_pages(CaseStudyPage).values_list("country", flat=True)))
    results = []
    for code in codes:
        country = _country(code, locale.language_code)
        results.append({"code": code, "label": country["name"], "description": "", "translated": True})
    return {"count": len(results), "results": results}


def locale_list() -> dict[str, Any]:
    from django.conf.locale import LANG_INFO

    default = Locale.get_default()
    found = {
        locale.language_code: locale for locale in Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES)
    }
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
