"""Turn published pages into search documents, in batches with a constant number of queries."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import nh3
from wagtail.models import Page

from manual.models import (
    BODY_SECTIONS,
    CaseStudyPage,
    ManualSectionPage,
)
from manual.services.publication import public_pages

FACET_KEYS = ("type", "country", "topic", "tool", "participation_level", "government_level", "stage")
DOCUMENT_TYPES = {CaseStudyPage: "case_study", ManualSectionPage: "section"}


def indexable_pages() -> Any:
    """Live pages that are content in their own right (aliases and stand-ins are not documents)."""
    return public_pages(Page).type(*DOCUMENT_TYPES)


def _text(markup: str) -> str:
    """The words of rich text: tags (and script or style content) removed, entities decoded.

    nh3 parses HTML natively, several times faster than Django's ``strip_tags``, and gives text
    ("A & B", not "A &amp; B": the engine escapes highlights itself).
    """
    # Block tags end words: "</p><p>" must not glue the last word of one paragraph to the next.
    spaced = re.sub(r"<(/p|br|/li|/h[1-6])\b", r" <\1", markup or "")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def _stream_text(stream: Any) -> str:
    """The visible text of a StreamField: every string the blocks hold, tags removed."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(_text(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in {"id", "type", "level", "kind", "image", "document", "case"}:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(stream.get_prep_value() if hasattr(stream, "get_prep_value") else stream)
    return " ".join(part for part in parts if part)


def _translated_locales(pages: list[Page]) -> dict[Any, list[str]]:
    keys = {page.translation_key for page in pages}
    found: dict[Any, list[str]] = defaultdict(list)
    rows = public_pages(Page).filter(translation_key__in=keys).values_list("translation_key", "locale__language_code")
    for key, code in rows:
        found[key].append(code)
    return found


def build_documents(page_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Documents of the given pages (those still live and indexable), in page-id order."""
    ids = list(page_ids)
    cases = list(
        public_pages(CaseStudyPage)
        .filter(pk__in=ids)
        .select_related("locale", "government_level", "participation_level")
    )
    case_ids = [page.pk for page in cases]
    codes = {name: _term_codes(name, case_ids) for name in ("topics", "tools", "stages")}
    sections = list(public_pages(ManualSectionPage).filter(pk__in=ids).select_related("locale"))
    translated = _translated_locales([*cases, *sections])
    documents = [_case_document(page, translated, codes) for page in cases]
    documents += [_section_document(page, translated) for page in sections]
    documents.sort(key=lambda document: document["id"])
    return documents


def _base(page: Page, translated: dict[Any, list[str]], doc_type: str) -> dict[str, Any]:
    return {
        "id": page.pk,
        "translation_key": str(page.translation_key),
        "type": doc_type,
        "locale": page.locale.language_code,
        "title": page.title,
        "url": page.get_url(),
        "published_at": page.first_published_at.isoformat() if page.first_published_at else None,
        "translated_locales": sorted(translated.get(page.translation_key, [])),
        "country": [],
        "topic": [],
        "tool": [],
        "participation_level": [],
        "government_level": [],
        "stage": [],
        "start_year": None,
        "end_year": None,
    }


def _term_codes(field_name: str, case_ids: list[int]) -> dict[int, list[str]]:
    """Codes of a case's many-to-many terms, read from the link table in one query (no term objects)."""
    field = CaseStudyPage._meta.get_field(field_name)
    case, term = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = (
        field.remote_field.through.objects.filter(**{f"{case}_id__in": case_ids})
        .order_by(*(f"{term}__{name}" for name in field.related_model._meta.ordering))
        .values_list(f"{case}_id", f"{term}__code")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, code in rows:
        found[case_id].append(code)
    return found


def _case_document(
    page: CaseStudyPage, translated: dict[Any, list[str]], codes: dict[str, dict[int, list[str]]]
) -> dict[str, Any]:
    document = _base(page, translated, "case_study")
    document.update(
        {
            "summary": page.summary,
            "body": " ".join(
                [page.organisation, page.city, page.region] + [_text(getattr(page, name)) for name in BODY_SECTIONS]
            ),
            "country": [page.country.code] if page.country else [],
            "topic": codes["topics"].get(page.pk, []),
            "tool": codes["tools"].get(page.pk, []),
            "stage": codes["stages"].get(page.pk, []),
            "participation_level": [page.participation_level.code] if page.participation_level else [],
            "government_level": [page.government_level.code] if page.government_level else [],
            "start_year": page.start_year,
            "end_year": page.end_year,
        }
    )
    return document


def _section_document(page: ManualSectionPage, translated: dict[Any, list[str]]) -> dict[str, Any]:
    document = _base(page, translated, "section")
    document.update({"summary": page.intro, "body": _stream_text(page.body)})
    return document
