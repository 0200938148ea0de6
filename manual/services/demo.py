"""The demo manual: real, publicly documented European initiatives, in English and Russian.

English pages are created from ``manual/demo/*.json``; each Russian page is made the way a
translator would: a wagtail-localize TranslationSource, one human StringTranslation per segment,
then the translated page is built and published. Loading is idempotent: pages that exist (found
by slug under their parent) and translations that exist are left untouched, so a second run
changes nothing and never overwrites an editor's work.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from manual.case_facts import CASE_FACTS
from manual.models import (
    BODY_SECTIONS,
    CaseStudyIndexPage,
    CaseStudyLink,
    CaseStudyMetric,
    CaseStudyPage,
    ManualHomePage,
    ManualSectionPage,
    RelatedCase,
)
from manual.services.locales import create_locale_aliases, sync_locales
from manual.taxonomy_registry import taxonomy_kinds

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGE = "ru"


class FixedPageText(TypedDict):
    """The slug and the bilingual texts of a page every demo has (the home and the case index)."""

    slug: str
    title: dict[str, str]
    intro: dict[str, str]


HOME: FixedPageText = {
    "slug": "manual",
    "title": {
        "en": "PanEuropean Best Practice Manual on eParticipation",
        "ru": "Общеевропейское руководство по лучшим практикам электронного участия",
    },
    "intro": {
        "en": "How European cities, regions and institutions involve citizens online: a practical manual "
        "with case studies written by practitioners.",
        "ru": "Как европейские города, регионы и институты вовлекают граждан через интернет: практическое "
        "руководство с примерами, описанными практиками.",
    },
}
CASE_INDEX: FixedPageText = {
    "slug": "cases",
    "title": {"en": "Case studies", "ru": "Практические примеры"},
    "intro": {
        "en": "Initiatives from across Europe, each told in the same structure so they can be compared.",
        "ru": "Инициативы со всей Европы, каждая описана по единой структуре, чтобы их можно было сравнивать.",
    },
}


class DemoContentError(Exception):
    """The demo files or the database are not in a state the loader can work with."""


@dataclass
class DemoLoadReport:
    created: list[str] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.translated)


class TranslationMemory:
    """English -> Russian strings of the demo, keyed as wagtail-localize stores segment text (HTML)."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}

    def en(self, pair: dict[str, str]) -> str:
        """Register a bilingual pair and return its English text."""
        if not isinstance(pair, dict) or not pair.get(SOURCE_LANGUAGE) or not pair.get(TARGET_LANGUAGE):
            raise DemoContentError(f"expected {{'en': ..., 'ru': ...}} with both texts, got {pair!r}")
        self.keep(pair[SOURCE_LANGUAGE], pair[TARGET_LANGUAGE])
        return pair[SOURCE_LANGUAGE]

    def keep(self, source: str, target: str) -> None:
        self.strings[source] = target
        self.strings[escape(source, quote=False)] = escape(target, quote=False)
        self.strings[escape(source)] = escape(target)

    def translate(self, text: str) -> str:
        try:
            return self.strings[text]
        except KeyError:
            raise DemoContentError(f"no Russian text for segment {text!r}") from None


def read_demo_files(directory: Path = DEMO_DIR) -> tuple[list[dict], list[dict]]:
    sections = json.loads((directory / "sections.json").read_text(encoding="utf-8"))
    cases = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((directory / "cases").glob("*.json"))]
    return sections, cases


def _paragraphs(memory: TranslationMemory, pairs: list[dict[str, str]]) -> str:
    return "".join(f"<p>{escape(memory.en(pair), quote=False)}</p>" for pair in pairs)


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _child(parent: Page, model: type[Page], slug: str) -> Page | None:
    return model.objects.child_of(parent).filter(slug=slug).first()


def _create(parent: Page, page: Page, report: DemoLoadReport) -> Page:
    page.live = False
    parent.add_child(instance=page)
    _publish(page)
    create_locale_aliases(page)
    report.created.append(page.url_path)
    return page


def ensure_home(locale: Locale, memory: TranslationMemory, report: DemoLoadReport) -> ManualHomePage:
    """The default locale's home, made the root of the default Site (replacing Wagtail's welcome page)."""
    title, intro = memory.en(HOME["title"]), memory.en(HOME["intro"])
    memory.keep(HOME["slug"], HOME["slug"])
    home = ManualHomePage.objects.filter(locale=locale).first()
    if home is None:
        root = Page.get_first_root_node()
        home = _create(
            root,
            ManualHomePage(title=title, slug=HOME["slug"], intro=f"<p>{escape(intro, quote=False)}</p>", locale=locale),
            report,
        )
    else:
        report.unchanged += 1
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Manual"
        )
    if site.hostname == "localhost" and site.port == 80:
        # Wagtail's placeholder site: make absolute URLs (sitemap, canonical, hreflang) point at
        # where this service is served.
        base = urlsplit(settings.BASE_URL)
        site.hostname = base.hostname or "localhost"
        site.port = base.port or (443 if base.scheme == "https" else 80)
        site.save()
    if site.root_page_id != home.pk:
        welcome = site.root_page.specific
        site.root_page = home
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" page has nothing of ours in it.
        if type(welcome) is Page and not welcome.get_children().exists():
            welcome.delete()
    return home


def ensure_case_index(home: ManualHomePage, memory: TranslationMemory, report: DemoLoadReport) -> CaseStudyIndexPage:
    title, intro = memory.en(CASE_INDEX["title"]), memory.en(CASE_INDEX["intro"])
    memory.keep(CASE_INDEX["slug"], CASE_INDEX["slug"])
    index = _child(home, CaseStudyIndexPage, CASE_INDEX["slug"])
    if index is not None:
        report.unchanged += 1
        return index
    return _create(
        home,
        CaseStudyIndexPage(title=title, slug=CASE_INDEX["slug"], intro=f"<p>{escape(intro, quote=False)}</p>"),
        report,
    )


def _terms(locale: Locale) -> dict[str, dict[str, Any]]:
    return {kind.key: {term.code: term for term in kind.default_terms()} for kind in taxonomy_kinds()}


def _term(terms: dict[str, dict[str, Any]], key: str, code: str, slug: str) -> Any:
    try:
        return terms[key][code]
    except KeyError:
        raise DemoContentError(f"case {slug!r}: unknown {key} code {code!r}") from None


def build_case(item: dict[str, Any], memory: TranslationMemory, terms: dict[str, dict[str, Any]]) -> CaseStudyPage:
    slug = item["slug"]
    memory.keep(slug, slug)
    page = CaseStudyPage(
        title=memory.en(item["title"]),
        slug=slug,
        summary=memory.en(item["summary"]),
        organisation=memory.en(item["organisation"]),
        city=memory.en(item["city"]),
        region=memory.en(item["region"]),
        country=item["country"],
        latitude=Decimal(str(item["latitude"])),
        longitude=Decimal(str(item["longitude"])),
        population=item.get("population"),
        start_year=item["start_year"],
        end_year=item.get("end_year"),
        initiative_status=item["initiative_status"],
        attribution=memory.en(
            {
                "en": "PanEuropean eParticipation Manual editors",
                "ru": "Редакция Общеевропейского руководства по электронному участию",
            }
        ),
    )
    for name in BODY_SECTIONS:
        setattr(page, name, _paragraphs(memory, item["body"][name]))
    for kind in taxonomy_kinds():
        if kind.field not in item:  # a kind the demo content does not classify by
            continue
        codes = item[kind.field] if kind.many else [item[kind.field]]
        linked = [_term(terms, kind.key, code, slug) for code in codes]
        setattr(page, kind.field, linked if kind.many else linked[0])
    for fact in CASE_FACTS:  # optional: a text in both languages, a code, a count or a link
        if fact.name in item:
            value = item[fact.name]
            setattr(page, fact.name, memory.en(value) if fact.translatable else fact.stored(value))
    page.metrics = [
        CaseStudyMetric(
            label=memory.en(m["label"]), value=Decimal(str(m["value"])), unit=memory.en(m["unit"]), sort_order=order
        )
        for order, m in enumerate(item["metrics"])
    ]
    page.links = [
        CaseStudyLink(title=memory.en(link["title"]), url=link["url"], sort_order=order)
        for order, link in enumerate(item["links"])
    ]
    page.full_clean(exclude=["path", "depth"])
    return page


def section_body(blocks: list[dict[str, Any]], memory: TranslationMemory, cases: dict[str, CaseStudyPage]) -> str:
    raw = []
    for block in blocks:
        kind = block["type"]
        if kind == "heading":
            value: Any = {"text": memory.en(block["text"]), "level": block.get("level", "h2")}
        elif kind == "paragraph":
            value = _paragraphs(memory, [block["text"]])
        elif kind == "quote":
            value = {"text": memory.en(block["text"]), "attribution": memory.en(block["attribution"])}
        elif kind == "callout":
            value = {
                "kind": block["kind"],
                "title": memory.en(block["title"]),
                "text": _paragraphs(memory, [block["text"]]),
            }
        elif kind == "table":
            value = {
                "caption": memory.en(block["caption"]),
                "header": [memory.en(cell) for cell in block["header"]],
                "rows": [{"cells": [memory.en(cell) for cell in row]} for row in block["rows"]],
            }
        elif kind == "case_reference":
            case = cases.get(block["case"])
            if case is None:
                raise DemoContentError(f"case_reference to unknown case {block['case']!r}")
            value = {"case": case.pk, "note": memory.en(block["note"])}
        else:
            raise DemoContentError(f"unknown block type {kind!r}")
        raw.append({"type": kind, "value": value})
    return json.dumps(raw)


def translate_page(page: Page, locale: Locale, memory: TranslationMemory) -> Page:
    """Make (or complete) the human translation of ``page`` into ``locale`` and publish it."""
    page = page.specific_class.objects.get(pk=page.pk)
    source, created = TranslationSource.get_or_create_from_instance(page)
    if not created:
        source.update_from_db()
        source = TranslationSource.objects.get(pk=source.pk)
    Translation.objects.get_or_create(source=source, target_locale=locale)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": memory.translate(segment.string.data),
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": "",
            },
        )
    # publish=False then publish the revision here: wagtail-localize publishes on commit otherwise.
    source.create_or_update_translation(locale, publish=False, copy_parent_pages=False, fallback=False)
    translated = page.get_translation(locale)
    _publish(translated)
    return translated


def _has_real_translation(page: Page, locale: Locale) -> bool:
    # Alias pages (made by create_locale_aliases) are converted into translations by translate_page.
    return Page.objects.filter(translation_key=page.translation_key, locale=locale, alias_of__isnull=True).exists()


def load_demo_manual(directory: Path = DEMO_DIR) -> DemoLoadReport:
    """Load the demo manual; see the module docstring."""
    sync_locales()
    default = Locale.get_default()
    if default.language_code != SOURCE_LANGUAGE:
        raise DemoContentError(
            "the demo manual is written in English: MANUAL_LOCALES must start with 'en' "
            f"(it starts with {default.language_code!r})"
        )
    target = (
        Locale.objects.filter(language_code=TARGET_LANGUAGE).first()
        if TARGET_LANGUAGE in settings.MANUAL_LOCALES
        else None
    )
    sections, cases = read_demo_files(directory)
    report = DemoLoadReport()
    memory = TranslationMemory()
    terms = _terms(default)

    with transaction.atomic():
        home = ensure_home(default, memory, report)
        index = ensure_case_index(home, memory, report)
        case_pages: dict[str, CaseStudyPage] = {}
        new_cases = []
        for item in cases:
            page = build_case(item, memory, terms)
            existing = _child(index, CaseStudyPage, item["slug"])
            if existing is not None:
                case_pages[item["slug"]] = existing
                report.unchanged += 1
                continue
            case_pages[item["slug"]] = _create(index, page, report)
            new_cases.append((case_pages[item["slug"]], item))
        for page, item in new_cases:
            related = [case_pages[slug] for slug in item["related"] if slug in case_pages]
            page.related_cases = [RelatedCase(case=case, sort_order=order) for order, case in enumerate(related)]
            _publish(page)

        section_pages: dict[str, ManualSectionPage] = {}
        ordered: list[Page] = [home, index]
        for item in sections:
            parent = home if item["parent"] is None else section_pages[item["parent"]]
            memory.keep(item["slug"], item["slug"])
            page = ManualSectionPage(
                title=memory.en(item["title"]),
                slug=item["slug"],
                intro=memory.en(item["intro"]),
                body=section_body(item["body"], memory, case_pages),
            )
            existing = _child(parent, ManualSectionPage, item["slug"])
            if existing is None:
                existing = _create(parent, page, report)
            else:
                report.unchanged += 1
            section_pages[item["slug"]] = existing
            ordered.append(existing)
        ordered.extend(case_pages.values())

        if target is not None:
            for page in ordered:
                if not _has_real_translation(page, target):
                    translated = translate_page(page, target, memory)
                    report.translated.append(translated.url_path)
    sync_locales()
    logger.info(
        "demo manual loaded",
        extra={"pages_created": len(report.created), "translations_created": len(report.translated)},
    )
    return report
