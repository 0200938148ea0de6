"""What the reader pages show: the context of each page type, in a constant number of queries.

Inline children (metrics, links, documents, contacts, related cases) are prefetched in one query
each, taxonomy labels come from one lookup (``label_lookup``), and related cases are swapped for
their translation in the page's locale with one query, whatever their number. In a preview the
page is an unsaved revision whose children live in memory: nothing is prefetched then, since the
database holds the published version, not the draft.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wagtail.models import Page

from manual.models import (
    BODY_SECTION_LABELS,
    BODY_SECTIONS,
    CaseStudyIndexPage,
    CaseStudyPage,
    EParticipationTool,
    GovernmentLevel,
    ManualSectionPage,
    ParticipationLevel,
    PolicyStage,
    RelatedCase,
    Topic,
)
from manual.services.publication import public_pages
from manual.services.taxonomies import label_lookup

LATEST_CASES = 6
OSM_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=12/{lat}/{lon}"


def _is_preview(request: HttpRequest | None) -> bool:
    return bool(getattr(request, "is_preview", False))


def _real(model: type[Page]) -> Any:
    return public_pages(model)


def home_context(page: Page, request: HttpRequest | None) -> dict[str, Any]:
    """The home of a locale: its chapters, the case list and the latest cases."""
    locale_id = page.locale_id
    context: dict[str, Any] = {
        "sections": list(
            ManualSectionPage.objects.live().filter(locale_id=locale_id, depth=page.depth + 1).order_by("path")
        )
        if page.pk
        else [],
        "case_index": CaseStudyIndexPage.objects.live().filter(locale_id=locale_id).first(),
        "latest_cases": list(
            _real(CaseStudyPage).filter(locale_id=locale_id).order_by("-first_published_at", "pk")[:LATEST_CASES]
        ),
    }
    return context


def section_context(page: ManualSectionPage, request: HttpRequest | None) -> dict[str, Any]:
    """Table of contents (the body's headings, then the sub-sections), previous/next, breadcrumbs."""
    headings = [
        {"anchor": f"h-{block.id}", "text": block.value["text"], "level": block.value["level"]}
        for block in page.body
        if block.block_type == "heading"
    ]
    _localize_case_references(page)
    context: dict[str, Any] = {"headings": headings, "children": [], "previous": None, "next": None, "breadcrumbs": []}
    if not page.pk or not page.path:
        return context  # a new page in preview has no place in the tree yet
    # Navigation stays in the tree of the URL's locale, also for a page shown in place of a stand-in.
    place = getattr(request, "stand_in", None) or page
    context["children"] = list(ManualSectionPage.objects.live().child_of(place).order_by("path"))
    siblings = ManualSectionPage.objects.live().sibling_of(place, inclusive=False)
    context["previous"] = siblings.filter(path__lt=place.path).order_by("-path").first()
    context["next"] = siblings.filter(path__gt=place.path).order_by("path").first()
    # Home and the chapters above this section; Wagtail's root (depth 1) is not a page visitors see.
    context["breadcrumbs"] = _breadcrumbs(page, request)
    return context


def _breadcrumbs(page: Page, request: HttpRequest | None) -> list[Page]:
    """Home and the chapters above the page, in the tree of the URL's locale.

    Wagtail's root (depth 1) is not a page visitors see. A page shown in place of a stand-in
    (``ManualPage.serve``) keeps the visitor in the stand-in's tree.
    """
    shown_at = getattr(request, "stand_in", None) or page
    return list(Page.objects.ancestor_of(shown_at).filter(depth__gt=1).order_by("depth"))


def _localize_case_references(page: ManualSectionPage) -> None:
    """Give each case reference of the body its case in the page's language, in one query.

    The block template would otherwise ask for ``case.localized`` once per reference.
    """
    references = [block.value for block in page.body if block.block_type == "case_reference" and block.value["case"]]
    if not references:
        return
    keys = {value["case"].translation_key for value in references}
    in_locale = {
        case.translation_key: case
        for case in _real(CaseStudyPage).filter(translation_key__in=keys, locale_id=page.locale_id)
    }
    for value in references:
        value["shown_case"] = in_locale.get(value["case"].translation_key, value["case"])


def _number(value: Decimal | float) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text


def body_headings() -> dict[str, str]:
    """Headings of the seven body sections, in the active language."""
    return {name: str(label) for name, label in BODY_SECTION_LABELS.items()}


def case_context(page: CaseStudyPage, request: HttpRequest | None) -> dict[str, Any]:
    """Every structured field of a case, labelled in the page's language."""
    if not _is_preview(request) and page.pk:
        prefetch_related_objects(
            [page],
            "metrics",
            "links",
            "contacts",
            "topics",
            "tools",
            "stages",
            Prefetch("documents__document"),
            Prefetch("related_cases", queryset=RelatedCase.objects.select_related("case__locale")),
        )
    language = page.locale.language_code
    labels = label_lookup(language)

    def level(model: type, term: Any) -> str:
        return labels.label(model, term.code) if term is not None else ""

    government_level = page.government_level if page.government_level_id else None
    participation_level = page.participation_level if page.participation_level_id else None
    classification = [
        (_("Government level"), [level(GovernmentLevel, government_level)] if government_level else []),
        (_("Participation level"), [level(ParticipationLevel, participation_level)] if participation_level else []),
        (_("Policy-cycle stages"), [labels.label(PolicyStage, term.code) for term in page.stages.all()]),
        (_("Topics"), [labels.label(Topic, term.code) for term in page.topics.all()]),
        (
            pgettext("case facts", "eParticipation tools"),
            [labels.label(EParticipationTool, term.code) for term in page.tools.all()],
        ),
    ]

    related_links = [link for link in page.related_cases.all() if link.case_id]
    related = []
    if related_links:
        cases = [link.case for link in related_links]
        keys = {case.translation_key for case in cases}
        # The related case in the visitor's language when it is translated, else as it is.
        in_locale = {
            other.translation_key: other
            for other in _real(CaseStudyPage).filter(translation_key__in=keys, locale_id=page.locale_id)
        }
        for case in cases:
            if not case.live:
                continue
            shown = in_locale.get(case.translation_key, case)
            fallback = shown.locale_id != page.locale_id
            related.append({"page": shown, "fallback": fallback, "language": case.locale.language_code})

    coordinates = None
    if page.latitude is not None and page.longitude is not None:
        lat, lon = _number(page.latitude), _number(page.longitude)
        coordinates = {"lat": lat, "lon": lon, "map_url": OSM_URL.format(lat=lat, lon=lon)}

    headings = body_headings()
    return {
        "sections": [(name, headings[name], getattr(page, name)) for name in BODY_SECTIONS],
        "classification": classification,
        "metrics": [
            {"label": metric.label, "value": _number(metric.value), "unit": metric.unit}
            for metric in page.metrics.all()
        ],
        "links": list(page.links.all()),
        "documents": [item.document for item in page.documents.all() if item.document_id],
        # Contacts on a page are public by consent: conversion copies a submitter only with
        # consent.publish_contact, and erasure (GDPR) deletes the row.
        "contacts": [contact for contact in page.contacts.all() if contact.name or contact.email],
        "related": related,
        "coordinates": coordinates,
        "breadcrumbs": _breadcrumbs(page, request) if page.path else [],
    }
