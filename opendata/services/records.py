"""A published case as an open-data record: one reading, three dumps (JSON, CSV, GeoJSON).

A record is one case in one locale. Its case fields are named and shaped as the import format
(docs/import-format.md: ``locale``, ``title`` ... ``body``, ``links``, ``metrics``, one field per
classification of ``manual.taxonomy_registry``, codes only), so the JSON dump imports again with
``manage.py import_cases``; beside them the record states where it comes from and how it may be
reused (``RECORD_FIELDS``) and the labels of its codes in its own language (``labels``).

Classifications are read from the registry (``classifications``): a taxonomy kind declared later
appears in every dump, column and codebook without a change here.

Cases are read in chunks of ``CHUNK_SIZE`` by primary key (keyset pagination): memory stays bounded
whatever the number of cases, and each chunk costs the same queries (the pages with their locale and
single terms, one per taxonomy with many terms, one for metrics, one for links). Labels come from the
registry's per-language lookup, read once per language.

Only what ``manual.services.publication.public_pages`` calls public is read: live pages that are
content in their own language (no drafts, aliases, stand-ins awaiting a reviewed translation).
Contacts are left out on purpose: a dump is copied and harvested beyond the reach of an erasure
request (docs/personal-data.md); readers find them on the case's page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from wagtail.rich_text import expand_db_html

from manual.case_facts import CASE_FACTS, CHOICE, CaseFact
from manual.models import BODY_SECTIONS, CaseStudyPage, InitiativeStatus, Licence
from manual.services.publication import public_pages
from manual.services.read_model import case_queryset
from manual.taxonomy_registry import (
    CaseFilter,
    FactFilter,
    TaxonomyKind,
    case_filters,
    in_display_order,
    taxonomy_kinds,
)

CHUNK_SIZE = 500
# The marker of the JSON dump (``format``): the importer recognises the document by it.
EXPORT_FORMAT = "eparticipation-manual-cases/1"

# Where each licence a case may carry is published (manual.models.Licence).
LICENCE_URLS: dict[str, str] = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}

# The record's own fields, before the case's: where it comes from and how it may be reused.
RECORD_FIELDS = (
    "id",
    "page_id",
    "translation_key",
    "url",
    "first_published",
    "last_modified",
    "licence",
    "licence_name",
    "licence_url",
    "attribution",
)


def classifications() -> list[CaseFilter]:
    """Every classification of a case in the dumps' order: the country, then the taxonomies as forms show them.

    The filters made from case facts (``FactFilter``) are left out: the dumps write every fact,
    categories included, among the facts (``CASE_FACTS``), with the same name and codes.
    """
    others = [item for item in case_filters() if not isinstance(item, (TaxonomyKind, FactFilter))]
    return [*others, *in_display_order(taxonomy_kinds())]


def licence_name(code: str) -> str:
    return Licence(code).label if code in Licence.values else code


def licence_url(code: str) -> str:
    return LICENCE_URLS.get(code, "")


def status_label(code: str, language_code: str) -> str:
    with translation.override(language_code):
        return str(InitiativeStatus(code).label) if code in InitiativeStatus.values else code


def fact_code(fact: CaseFact, page: CaseStudyPage) -> Any:
    """A fact as the import format holds it: a choice's code or null, else the stored value."""
    value = getattr(page, fact.name)
    return (value or None) if fact.kind == CHOICE else value


def _number(value: Decimal) -> int | float:
    # A JSON number as people write it: 6500, not 6500.00 (nor "6500.00", a string).
    return int(value) if value == value.to_integral_value() else float(value)


def _rich_text(source: str) -> str:
    # Internal links become public URLs (as the API's case body): the dump is read outside the site.
    return expand_db_html(source) if source else ""


def record_id(page: CaseStudyPage) -> str:
    """The record's stable id: the case (its translation key) in one language."""
    return f"{page.translation_key}/{page.locale.language_code}"


def case_record(page: CaseStudyPage) -> dict[str, Any]:
    """One case in its own locale as the JSON dump holds it."""
    language = page.locale.language_code
    codes: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for item in classifications():
        found = item.codes_of(page)
        named = [item.label(code, language) for code in found]
        codes[item.field] = found if item.many else next(iter(found), None)
        labels[item.field] = named if item.many else next(iter(named), None)
    labels["initiative_status"] = status_label(page.initiative_status, language)
    for fact in CASE_FACTS:
        if fact.kind == CHOICE:
            labels[fact.name] = fact.label_of(getattr(page, fact.name), language)
    coordinates = None
    if page.coordinates is not None:
        latitude, longitude = page.coordinates
        coordinates = {"lat": float(latitude), "lon": float(longitude)}
    return {
        "id": record_id(page),
        "page_id": page.pk,
        "translation_key": str(page.translation_key),
        "url": page.get_full_url(),
        "first_published": page.first_published_at.isoformat() if page.first_published_at else None,
        "last_modified": page.last_published_at.isoformat() if page.last_published_at else None,
        "licence": page.licence,
        "licence_name": licence_name(page.licence),
        "licence_url": licence_url(page.licence),
        "attribution": page.attribution or page.organisation,
        "locale": language,
        "title": page.title,
        "summary": page.summary,
        "organisation": page.organisation,
        "city": page.city,
        "region": page.region,
        "coordinates": coordinates,
        "population": page.population,
        **codes,
        "start_year": page.start_year,
        "end_year": page.end_year,
        "initiative_status": page.initiative_status,
        # Participation and evaluation (manual.case_facts): an unstated choice is null.
        **{fact.name: fact_code(fact, page) for fact in CASE_FACTS},
        "body": {name: _rich_text(getattr(page, name)) for name in BODY_SECTIONS},
        "links": [{"title": link.title, "url": link.url} for link in page.links.all()],
        "metrics": [
            {"label": metric.label, "value": _number(metric.value), "unit": metric.unit}
            for metric in page.metrics.all()
        ],
        "labels": labels,
    }


def published_cases() -> Any:
    """Every public case of every locale, with what a record reads (see the module's docstring)."""
    return case_queryset().filter(pk__in=public_pages(CaseStudyPage).values("pk")).prefetch_related("metrics", "links")


def case_chunks(chunk_size: int = CHUNK_SIZE) -> Iterator[list[CaseStudyPage]]:
    """The public cases in chunks of ``chunk_size``, by primary key."""
    last = 0
    while True:
        chunk = list(published_cases().filter(pk__gt=last).order_by("pk")[:chunk_size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def case_records(chunk_size: int = CHUNK_SIZE) -> Iterator[dict[str, Any]]:
    for chunk in case_chunks(chunk_size):
        yield from (case_record(page) for page in chunk)


@dataclass(frozen=True)
class Dataset:
    """What describes the dataset as a whole (the JSON dump's head, the catalogue record)."""

    title: str
    publisher: str
    publisher_url: str
    licence: str
    licence_url: str
    languages: tuple[str, ...]


def dataset() -> Dataset:
    return Dataset(
        title="Case studies of the PanEuropean Best Practice Manual on eParticipation",
        publisher=settings.OPEN_DATA_PUBLISHER,
        publisher_url=settings.OPEN_DATA_PUBLISHER_URL,
        licence=settings.OPEN_DATA_LICENCE,
        licence_url=licence_url(settings.OPEN_DATA_LICENCE),
        languages=tuple(settings.MANUAL_LOCALES),
    )
