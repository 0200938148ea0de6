"""The translation status report: per source page and target locale, presence and string counts.

Read by ``GET /api/v1/translations/status`` (``status_report``) and by the admin's report of pages
missing or outdated (``manual.admin_views.translation_report``), in a fixed number of queries per
batch of pages. The strings and their reviews are those of wagtail-localize and
``manual.services.translations``, which holds the workflow verbs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from core.api_errors import InvalidInput
from manual.services.locale_lookup import target_locales
from manual.services.translations import valid_reviews
from manual.taxonomy_registry import taxonomy_kinds


@dataclass
class LocaleStatus:
    present: bool = False
    page_id: int | None = None
    live: bool = False
    submitted: bool = False
    total: int = 0
    translated: int = 0
    outdated: int = 0
    machine: int = 0
    human: int = 0
    reviewed: int = 0

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.present else 0
        return self.translated * 100 // self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "page_id": self.page_id,
            "live": self.live,
            "submitted": self.submitted,
            "percent": self.percent,
            "total": self.total,
            "translated": self.translated,
            "outdated": self.outdated,
            "machine": self.machine,
            "human": self.human,
            "reviewed": self.reviewed,
        }


@dataclass
class PageStatus:
    page: Page
    locales: dict[str, LocaleStatus] = field(default_factory=dict)


def translation_status(pages: list[Page], target_locales: list[Locale]) -> list[PageStatus]:
    """Per source page and target locale: presence and string counts, in a fixed number of queries."""
    keys = {page.translation_key for page in pages}
    statuses = [PageStatus(page, {locale.language_code: LocaleStatus() for locale in target_locales}) for page in pages]
    if not keys or not target_locales:
        return statuses
    codes = {locale.pk: locale.language_code for locale in target_locales}
    by_key = {status.page.translation_key: status for status in statuses}

    for target in Page.objects.filter(translation_key__in=keys, locale_id__in=codes).values(
        "pk", "translation_key", "locale_id", "alias_of_id", "live"
    ):
        item = by_key[target["translation_key"]].locales[codes[target["locale_id"]]]
        item.present = target["alias_of_id"] is None
        item.page_id = target["pk"] if item.present else None
        item.live = item.present and target["live"]

    source_ids = {}
    for source in TranslationSource.objects.filter(
        object_id__in=keys, locale_id__in={page.locale_id for page in pages}
    ).values("pk", "object_id"):
        source_ids[source["pk"]] = source["object_id"]
    for row in Translation.objects.filter(source_id__in=source_ids, target_locale_id__in=codes, enabled=True).values(
        "source_id", "target_locale_id"
    ):
        by_key[source_ids[row["source_id"]]].locales[codes[row["target_locale_id"]]].submitted = True

    segments = defaultdict(list)  # object_id -> [(string_id, context_id)]
    for row in StringSegment.objects.filter(source_id__in=source_ids).values("source_id", "string_id", "context_id"):
        segments[source_ids[row["source_id"]]].append((row["string_id"], row["context_id"]))

    rows = StringTranslation.objects.filter(context__object_id__in=keys, locale_id__in=codes).values(
        "translation_of_id",
        "context_id",
        "locale_id",
        "translation_type",
        "has_error",
        reviewed=Exists(valid_reviews()),
    )
    current: dict[tuple[int, int, int], dict] = {}
    strings_of_context: dict[tuple[int, int], set[int]] = defaultdict(set)
    for row in rows:
        current[(row["locale_id"], row["translation_of_id"], row["context_id"])] = row
        strings_of_context[(row["locale_id"], row["context_id"])].add(row["translation_of_id"])

    for key, status in by_key.items():
        for locale_id, code in codes.items():
            item = status.locales[code]
            if not item.submitted and not item.present:
                continue
            for string_id, context_id in segments.get(key, ()):
                item.total += 1
                row = current.get((locale_id, string_id, context_id))
                if row is None or row["has_error"]:
                    if strings_of_context.get((locale_id, context_id), set()) - {string_id}:
                        item.outdated += 1
                    continue
                item.translated += 1
                if row["translation_type"] == StringTranslation.TRANSLATION_TYPE_MACHINE:
                    item.machine += 1
                    item.reviewed += bool(row["reviewed"])
                else:
                    item.human += 1
    return statuses


PAGE_TYPES = {"case_study": "manual.CaseStudyPage", "section": "manual.ManualSectionPage"}


def status_report(
    locale_code: str | None, page_type: str | None, page_number: int, page_size: int, needing_work: bool = False
) -> dict:
    """``GET /api/v1/translations/status``: live source pages of the default locale with, per target
    locale, whether a real translation exists and its string counts. Constant number of queries.

    ``needing_work`` keeps only pages missing, outdated or incomplete in some locale (admin report).

    Source pages that are not live (drafts in review, rejected submissions kept for the record) are
    left out: the route is public and must not list their ids or titles. The admin report leaves
    them out too: it is the translators' and editors' list of work, and a draft's text may still
    change in review, while rejected drafts would stay in it for ever.
    """
    if page_type is not None and page_type not in PAGE_TYPES:
        raise InvalidInput("type", f"Unknown page type {page_type!r}; expected case_study or section.", "unknown_type")
    default = Locale.get_default()
    targets = target_locales(locale_code)
    types = {key: ContentType.objects.get_for_model(apps.get_model(label)) for key, label in PAGE_TYPES.items()}
    type_of = {content_type.pk: key for key, content_type in types.items()}
    wanted = [types[page_type].pk] if page_type else list(type_of)
    pages = Page.objects.filter(locale=default, alias_of__isnull=True, live=True, content_type_id__in=wanted).order_by(
        "path"
    )
    pages = pages.only("id", "title", "translation_key", "content_type_id", "locale_id")
    start = (page_number - 1) * page_size

    def row(status: PageStatus) -> dict[str, Any]:
        return {
            "id": status.page.pk,
            "translation_key": str(status.page.translation_key),
            "type": type_of[status.page.content_type_id],
            "title": status.page.title,
            "locale": default.language_code,
            "locales": {code: item.as_dict() for code, item in status.locales.items()},
        }

    if not needing_work:
        batch = list(pages[start : start + page_size])
        return {"count": pages.count(), "results": [row(status) for status in translation_status(batch, targets)]}
    # Whether a page needs work depends on string counts, not on a column: walk the pages in
    # batches (a fixed number of queries each) and paginate what needs work.
    unfinished: list[dict[str, Any]] = []
    for offset in range(0, pages.count(), REPORT_BATCH):
        for status in translation_status(list(pages[offset : offset + REPORT_BATCH]), targets):
            if any(not item.present or item.outdated or item.percent < 100 for item in status.locales.values()):
                unfinished.append(row(status))
    return {"count": len(unfinished), "results": unfinished[start : start + page_size]}


REPORT_BATCH = 500


def term_translation_status(locale_code: str | None) -> dict[str, dict[str, Any]]:
    """Per target locale: the terms with a label in it, and those without (the translators' to-do).

    A term without a row in a locale is shown there with the default locale's label, marked
    ``translated: false`` (``TaxonomyLabels``); this lists the same terms, so a locale added to
    ``MANUAL_LOCALES`` shows its untranslated labels at once. One query per taxonomy.
    """
    default = Locale.get_default()
    targets = target_locales(locale_code)
    status: dict[str, dict[str, Any]] = {
        locale.language_code: {"total": 0, "translated": 0, "percent": 100, "untranslated": []} for locale in targets
    }
    for kind in taxonomy_kinds():
        labelled: dict[str, set[int]] = {}
        sources = []
        rows = kind.model.objects.filter(locale__in=[default, *targets]).order_by("sort_order", "code")
        for code, locale_id, label in rows.values_list("code", "locale_id", "label"):
            labelled.setdefault(code, set()).add(locale_id)
            if locale_id == default.pk:
                sources.append((code, label))
        for locale in targets:
            item = status[locale.language_code]
            for code, label in sources:
                item["total"] += 1
                if locale.pk in labelled[code]:
                    item["translated"] += 1
                else:
                    item["untranslated"].append({"kind": kind.kind, "code": code, "label": label})
    for item in status.values():
        if item["total"]:
            item["percent"] = item["translated"] * 100 // item["total"]
    return status
