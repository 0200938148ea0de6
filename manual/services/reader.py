"""What the reader pages show: the template context of each page type.

Shaping only: every query is ``manual.services.read_model``'s, so a page costs a constant number
of queries whatever the number of its sections, children, terms and related cases. A page shown in
place of a stand-in (``ManualPage.serve`` sets ``request.stand_in``) keeps the visitor in the tree
of the URL's locale: navigation is read from the stand-in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import numberformat
from django.utils.formats import get_format
from wagtail.models import Page

from manual.case_facts import CASE_FACTS, CHOICE, COUNT, URL
from manual.models import (
    BODY_SECTION_LABELS,
    BODY_SECTIONS,
    LICENCE_URLS,
    CaseStudyPage,
    ManualHomePage,
    ManualSectionPage,
)
from manual.services import read_model, seo
from manual.taxonomy_registry import in_display_order, taxonomy_kinds

LATEST_CASES = 6
OSM_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=12/{lat}/{lon}"


def _is_preview(request: HttpRequest | None) -> bool:
    return bool(getattr(request, "is_preview", False))


def _place(page: Page, request: HttpRequest | None) -> Page:
    """Where in the tree the page is shown: the stand-in of the URL, else the page itself."""
    return getattr(request, "stand_in", None) or page


def home_context(page: ManualHomePage, request: HttpRequest | None) -> dict[str, Any]:
    """The home of a locale: its chapters, the case list and the latest cases."""
    return {
        "sections": read_model.chapters(page.locale.language_code) if page.pk else [],
        "case_index": read_model.case_index(page.locale_id),
        "latest_cases": read_model.latest_cases(page.locale_id, LATEST_CASES),
    }


def section_context(page: ManualSectionPage, request: HttpRequest | None) -> dict[str, Any]:
    """Table of contents (the body's headings, then the sub-sections), previous/next, breadcrumbs."""
    headings = [
        {"anchor": f"h-{block.id}", "text": block.value["text"], "level": block.value["level"]}
        for block in page.body
        if block.block_type == "heading"
    ]
    read_model.localize_case_references(page)
    context: dict[str, Any] = {"headings": headings, "children": [], "previous": None, "next": None, "breadcrumbs": []}
    if not page.pk or not page.path:
        return context  # a new page in preview has no place in the tree yet
    place = _place(page, request)
    neighbours = read_model.neighbours(place)
    context.update(
        {
            "children": read_model.sub_sections(place),
            "previous": neighbours.previous,
            "next": neighbours.next,
            "breadcrumbs": read_model.ancestors(place),
        }
    )
    return context


def _number(value: Decimal | float) -> str:
    return f"{Decimal(value).normalize():f}"


def localized_number(value: Decimal | int, language_code: str) -> str:
    """A figure as readers of the language write it: thousands grouped ("11 000" in Russian, with a
    narrow no-break space, site_config/formats; "11,000" in English), its own decimals only."""
    number = Decimal(value)
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR", language_code, use_l10n=True),
        grouping=get_format("NUMBER_GROUPING", language_code, use_l10n=True),
        thousand_sep=get_format("THOUSAND_SEPARATOR", language_code, use_l10n=True),
        force_grouping=True,
    )


def case_facts(page: CaseStudyPage) -> list[dict[str, Any]]:
    """The participation and evaluation facts a case states (manual.case_facts), for its page: the
    heading, the text (a choice's label, a count grouped as the language writes it) and, for a
    report, its link."""
    language = page.locale.language_code
    shown = []
    for fact in CASE_FACTS:
        value = getattr(page, fact.name)
        if value in (None, ""):
            continue
        if fact.kind == CHOICE:
            text = fact.label_of(value, language)
        elif fact.kind == COUNT:
            text = localized_number(value, language)
        else:
            text = value
        shown.append({"name": fact.name, "label": fact.label, "text": text, "url": value if fact.kind == URL else ""})
    return shown


def body_headings() -> dict[str, str]:
    """Headings of the seven body sections, in the active language."""
    return {name: str(label) for name, label in BODY_SECTION_LABELS.items()}


def classification_headings() -> dict[str, str]:
    """The case facts' heading of each taxonomy (by case field), in the order the page lists them."""
    return {kind.field: str(kind.heading_in_facts) for kind in in_display_order(taxonomy_kinds())}


def case_context(page: CaseStudyPage, request: HttpRequest | None) -> dict[str, Any]:
    """Every structured field of a case, labelled in the page's language, and its schema.org data."""
    case = read_model.read_case(page, page.locale, prefetch=not _is_preview(request) and bool(page.pk))
    coordinates = None
    if case.coordinates:
        lat, lon = (_number(value) for value in case.coordinates)
        coordinates = {"lat": lat, "lon": lon, "map_url": OSM_URL.format(lat=lat, lon=lon)}
    headings = body_headings()
    language = page.locale.language_code
    place = _place(page, request)
    breadcrumbs = read_model.ancestors(place) if page.path else []
    share_image = seo.share_image(page, request)
    url = place.get_full_url(request) if place.url_path else None  # a new page in preview has none yet
    home = breadcrumbs[0] if breadcrumbs else None
    return {
        "sections": [(name, headings[name], getattr(page, name)) for name in BODY_SECTIONS],
        "classification": [
            (heading, [term["label"] for term in case.terms[name]])
            for name, heading in classification_headings().items()
        ],
        "facts": case_facts(page),
        "population": localized_number(page.population, language) if page.population else "",
        # Numbers stay numbers in the database (CaseStudyMetric.value); grouped here for the language.
        "metrics": [
            {"label": metric.label, "value": localized_number(metric.value, language), "unit": metric.unit}
            for metric in case.metrics
        ],
        "links": case.links,
        "documents": case.documents,
        # Contacts on a page are public by consent: conversion copies a submitter only with
        # consent.publish_contact, and erasure (GDPR) deletes the row.
        "contacts": [contact for contact in case.contacts if contact.name or contact.email],
        "related": [
            {
                "page": related.shown,
                "fallback": related.shown.locale_id != page.locale_id,
                "language": related.case.locale.language_code,
            }
            for related in case.related
        ],
        "coordinates": coordinates,
        "breadcrumbs": breadcrumbs,
        "licence_url": LICENCE_URLS.get(page.licence),
        "share_image": share_image,
        "json_ld": seo.json_ld_script(seo.case_json_ld(page, case, url, home, share_image, request)),
        "translations": case.translations,  # of the page too: the chrome's language links read no more
    }
