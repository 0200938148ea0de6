"""The manual's read model: how cases, sections and lists of them are read, for the API and the reader.

One reading, two shapes: ``manual.services.api_shapes`` turns what is read here into the API's JSON,
``manual.services.reader`` into the reader pages' template context; neither queries the database.

Every function costs a constant number of queries whatever the number of items: a case's inline
children and taxonomy links are prefetched in one query each, the translations of a batch of pages
come from one query (``Translations``) and taxonomy labels from one cached lookup (``label_lookup``).
In a preview the case is an unsaved revision whose children live in memory: nothing is prefetched
then, since the database holds the published version, not the draft.

A page is read in a locale with fallback to the default locale's version: one page by id
(``find_translation``), a list (``localized_pages``), or the pages a page links to
(``Translations.shown``: related cases, case references in a section's body). What is public is
``manual.services.publication``'s one definition.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property, partial
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext as _
from wagtail.documents.models import AbstractDocument
from wagtail.images import get_image_model
from wagtail.models import Locale, Orderable, Page

from core.api_errors import InvalidInput, NotFound
from core.clusters import hold_children_read
from core.prepared import PreparedRead
from manual.models import (
    CaseStudyContact,
    CaseStudyDocument,
    CaseStudyIndexPage,
    CaseStudyLink,
    CaseStudyMetric,
    CaseStudyPage,
    ManualSectionPage,
    RelatedCase,
    Taxonomy,
)
from manual.services import sitemap
from manual.services.case_filters import CaseFilters, filter_cases
from manual.services.locale_lookup import resolve_locale
from manual.services.publication import public_pages
from manual.services.taxonomies import TAXONOMY_KINDS, TaxonomyKind, TaxonomyLabels, label_lookup

# --- A page in a locale --------------------------------------------------------------------------


def localized_pages(model: type[Page], locale: Locale, fallback: bool) -> QuerySet:
    """Public pages of ``locale``; with ``fallback`` also default-locale pages that have no translation in it."""
    pages = public_pages(model)
    default = Locale.get_default()
    if not fallback or locale.pk == default.pk:
        return pages.filter(locale=locale)
    translated = public_pages(Page).filter(locale=locale, translation_key=OuterRef("translation_key"))
    return pages.filter(Q(locale=locale) | Q(locale=default) & ~Exists(translated))


def find_translation(
    page_id: int, model: type[Page], locale_code: str | None, fallback: bool, related: tuple[str, ...] = ()
) -> tuple[Page, Locale]:
    """The page ``page_id`` or, with a locale, its translation there (the source when ``fallback``).

    Returns the page to read, with its locale and the relations ``related`` (``select_related``)
    read along, and the locale it is read in (which differs from the page's own locale when the
    source answers for a missing translation).
    """
    pages = public_pages(model).select_related("locale", *related)
    source = pages.filter(pk=page_id).first()
    if source is None:
        raise NotFound(_("No published %(type)s with id %(id)s.") % {"type": model._meta.verbose_name, "id": page_id})
    if not locale_code:
        return source, source.locale
    locale = resolve_locale(locale_code)
    if source.locale_id == locale.pk:
        return source, locale
    translated = pages.filter(translation_key=source.translation_key, locale=locale).first()
    if translated is not None:
        return translated, locale
    if fallback:
        default_version = pages.filter(translation_key=source.translation_key, locale=Locale.get_default()).first()
        return default_version or source, locale
    raise NotFound(
        _("This %(type)s has no translation in %(locale)s; add fallback=1 for the source.")
        % {"type": model._meta.verbose_name, "locale": repr(locale.language_code)},
        "locale",
    )


# What linking to a version of a page takes: its URL (url_path, tree position), title and language.
VERSION_FIELDS = ("id", "title", "translation_key", "url_path", "path", "depth", "locale__language_code")


def _versions_of(keys: list[Any]) -> QuerySet:
    return public_pages(Page).filter(translation_key__in=keys).select_related("locale").only(*VERSION_FIELDS)


# Read on every reader page and API answer: its SQL compiled once per number of keys (core.prepared).
_public_versions = PreparedRead(_versions_of, [uuid.UUID])


class Translations:
    """The public versions (translations, the page itself included) of a batch of pages.

    Read with one query, on first use only: a reader's case page without related cases never asks.
    """

    def __init__(self, pages: Iterable[Page]) -> None:
        self.keys = {page.translation_key for page in pages}

    @cached_property
    def _versions(self) -> dict[Any, dict[int, Page]]:
        versions: dict[Any, dict[int, Page]] = defaultdict(dict)
        if self.keys:
            for version in _public_versions(sorted(self.keys)):
                versions[version.translation_key][version.locale_id] = version
        return versions

    def of(self, page: Page) -> list[Page]:
        """Every public version of ``page``, by language code."""
        versions = self._versions.get(page.translation_key, {}).values()
        return sorted(versions, key=lambda version: version.locale.language_code)

    def shown(self, page: Page, *locale_ids: int) -> Page:
        """``page`` in the first of ``locale_ids`` it has a public version in, else ``page`` itself."""
        versions = self._versions.get(page.translation_key, {})
        return next((versions[locale_id] for locale_id in locale_ids if locale_id in versions), page)


# --- Cases ---------------------------------------------------------------------------------------


def linked_terms(page: Page, kind: TaxonomyKind) -> list[Taxonomy]:
    """The terms of one taxonomy a case links (default-locale rows); none for other page types."""
    return kind.terms_of(page) if hasattr(page, kind.field) else []


# Per taxonomy with many terms (case field), the codes each case links (case id -> codes).
ManyCodes = dict[str, dict[int, list[str]]]


def _link_table(kind: TaxonomyKind) -> tuple[QuerySet, str, str]:
    """The link rows of a taxonomy with many terms, and their case and term columns' names."""
    relation = CaseStudyPage._meta.get_field(kind.field)
    if relation.concrete:  # a many-to-many field of the case
        field, case, term = relation, relation.m2m_field_name(), relation.m2m_reverse_field_name()
    else:  # the other side of one the terms' model declares (tests/taxonomy_app)
        field = relation.field
        case, term = field.m2m_reverse_field_name(), field.m2m_field_name()
    return field.remote_field.through.objects.all(), f"{case}_id", f"{term}_id"


def many_term_codes(case_ids: list[int], labels: TaxonomyLabels) -> ManyCodes:
    """The codes of the terms each case links, per taxonomy with many terms, in the order the
    taxonomy lists its terms (sort order, then code: ``Taxonomy.Meta.ordering``).

    One query for all of them, on the link tables only (a UNION of ids): the labels know each term's
    code and sort order, so no term row is built (a list of 50 cards built about 200, and a case page
    read each taxonomy on its own, docs/performance.md). A term newer than the labels is read.
    """
    kinds = _many_kinds()
    found: ManyCodes = {kind.field: defaultdict(list) for kind in kinds}
    if not case_ids or not kinds:
        return found
    linked = _term_links(case_ids)
    codes = {(number, term_id): labels.code_of(kinds[number].model, term_id) for number, _case, term_id in linked}
    for number, kind in enumerate(kinds):
        newer = [term_id for (of, term_id), code in codes.items() if of == number and code is None]
        for term_id, code in kind.model.objects.filter(pk__in=newer).values_list("pk", "code"):
            codes[(number, term_id)] = code
    for number, case_id, term_id in linked:
        code = codes[(number, term_id)]
        if code is not None:  # None: deleted since the link was read
            found[kinds[number].field][case_id].append(code)
    for kind in kinds:
        for listed in found[kind.field].values():
            listed.sort(key=partial(_term_position, labels, kind.model))
    return found


def _many_kinds() -> list[TaxonomyKind]:
    return [kind for kind in TAXONOMY_KINDS if kind.many]


def _term_links_of(case_ids: list[int]) -> QuerySet:
    """(taxonomy's number among ``_many_kinds``, case id, term id) of every link of ``case_ids``."""
    branches = []
    for number, kind in enumerate(_many_kinds()):
        links, case, term = _link_table(kind)
        rows = links.filter(**{f"{case}__in": case_ids}).annotate(taxonomy=Value(number))
        branches.append(rows.values_list("taxonomy", case, term))
    return branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]


# Read for every case page and list: its SQL compiled once per number of cases (core.prepared).
_term_links = PreparedRead(_term_links_of, [int])


def _term_position(labels: TaxonomyLabels, model: type[Taxonomy], code: str) -> tuple[int, str]:
    return labels.sort_order(model, code), code


def linked_codes(page: Page, kind: TaxonomyKind, labels: TaxonomyLabels, many: ManyCodes | None = None) -> list[str]:
    """The codes of the terms of one taxonomy a case links (``many``: read by ``many_term_codes``).

    A single term's row that is not read yet is not read for its code: the labels know the code of
    every term's id (no query; a reader's case page read two rows for it). A term newer than the
    labels is read as before.
    """
    if kind.many and many is not None:
        return many[kind.field].get(page.pk, [])
    if not kind.many and hasattr(type(page), kind.field):  # the field, not its value (a query)
        field = CaseStudyPage._meta.get_field(kind.field)
        if not field.is_cached(page):
            term_id = getattr(page, field.attname)
            if term_id is None:
                return []
            code = labels.code_of(kind.model, term_id)
            if code is not None:
                return [code]
    return [term.code for term in linked_terms(page, kind)]


def case_terms(
    page: CaseStudyPage, labels: TaxonomyLabels, many: ManyCodes | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The case's terms in every taxonomy, labelled: case field -> terms (at most one for a single kind)."""
    return {
        kind.field: [labels.term(kind.model, code) for code in linked_codes(page, kind, labels, many)]
        for kind in TAXONOMY_KINDS
    }


def _term_prefetches() -> list[Prefetch]:
    """Taxonomy lists of cases, codes only: labels come from ``label_lookup`` by code."""
    return [
        Prefetch(kind.field, queryset=kind.model.objects.only("id", "code")) for kind in TAXONOMY_KINDS if kind.many
    ]


SINGLE_TERM_FIELDS = tuple(kind.field for kind in TAXONOMY_KINDS if not kind.many)


def _children(model: type[Orderable], *joined: str) -> PreparedRead:
    return PreparedRead(lambda page_id: model.objects.filter(page_id=page_id).select_related(*joined), int)


# A case's inline children (accessor -> its read), one query each, their SQL compiled once per
# process (core.prepared): building and compiling them was a fifth of a case page's time.
_CHILD_READS: dict[str, PreparedRead] = {
    "metrics": _children(CaseStudyMetric),
    "links": _children(CaseStudyLink),
    "contacts": _children(CaseStudyContact),
    "documents": _children(CaseStudyDocument, "document"),
    "related_cases": _children(RelatedCase, "case__locale"),
}


def case_queryset() -> QuerySet:
    """Cases with their locale and terms: one query, plus one per taxonomy with many terms."""
    return CaseStudyPage.objects.select_related("locale", *SINGLE_TERM_FIELDS).prefetch_related(*_term_prefetches())


@dataclass
class CaseSummary:
    """A case as lists show it: the page and its terms, labelled in the locale it is read in."""

    page: CaseStudyPage
    terms: dict[str, list[dict[str, Any]]]

    @property
    def coordinates(self) -> tuple[Decimal, Decimal] | None:
        return self.page.coordinates


@dataclass(frozen=True)
class Related:
    """A related case and the version of it readers are sent to."""

    case: CaseStudyPage
    shown: Page  # its public version in the locale read, else in the page's locale, else the case itself


@dataclass
class CaseReading(CaseSummary):
    """Everything a case page or the API's case shows, read in ``locale``."""

    locale: Locale
    metrics: list[CaseStudyMetric]
    links: list[CaseStudyLink]
    contacts: list[CaseStudyContact]
    documents: list[AbstractDocument]
    related: list[Related]
    translations: Translations  # of the page and its related cases


def read_case(page: CaseStudyPage, locale: Locale, prefetch: bool = True) -> CaseReading:
    """A case and all it shows, read in ``locale``; ``prefetch=False`` for an unsaved revision (preview)."""
    labels = label_lookup(locale.language_code)
    many = None
    if prefetch:
        # Single terms come by their code (``linked_codes``), many by the link tables in one query,
        # unless the page came with its terms (``case_queryset``).
        prefetched = getattr(page, "_prefetched_objects_cache", {})
        if not all(kind.field in prefetched for kind in TAXONOMY_KINDS if kind.many):
            many = many_term_codes([page.pk], labels)
        for accessor, read in _CHILD_READS.items():
            hold_children_read(page, accessor, read(page.pk))
    linked = [link.case for link in page.related_cases.all() if link.case_id and link.case.live]
    translations = Translations([page, *linked])
    return CaseReading(
        page=page,
        terms=case_terms(page, labels, many),
        locale=locale,
        metrics=list(page.metrics.all()),
        links=list(page.links.all()),
        contacts=list(page.contacts.all()),
        documents=[item.document for item in page.documents.all() if item.document_id],
        related=[Related(case, translations.shown(case, locale.pk, page.locale_id)) for case in linked],
        translations=translations,
    )


def read_case_by_id(page_id: int, locale_code: str | None, fallback: bool) -> CaseReading:
    """The API's case: ``page_id`` in ``locale_code`` (``find_translation``), hero image included."""
    found, locale = find_translation(page_id, CaseStudyPage, locale_code, fallback, (*SINGLE_TERM_FIELDS, "hero_image"))
    return read_case(found, locale)


@dataclass
class CaseList:
    count: int  # of every case that matches
    cases: list[CaseSummary]  # of the page asked for
    translations: Translations


# The rendition of a case's hero image that lists show (a card's picture); ``thumbnail_prefetch`` reads
# it with the cases, so a list costs the same queries whatever its length.
THUMBNAIL = "fill-640x400|format-webp"

# The orders of the case list: name -> order_by; the first is the default. Ties go by id, so pages
# never overlap. ``-name`` is the descending order of ``name`` (docs/api.md "Lists").
_CASE_ORDER_FIELDS = ("title", "first_published_at", "last_published_at", "start_year")
CASE_ORDERINGS: dict[str, tuple[str, ...]] = {
    f"{sign}{name}": (f"{sign}{name}", "title", "pk") if name != "title" else (f"{sign}title", "pk")
    for name in _CASE_ORDER_FIELDS
    for sign in ("", "-")
}


def thumbnail_prefetch() -> Prefetch:
    """Cases' hero images with the list's rendition: one query for the images and their renditions."""
    return Prefetch("hero_image", queryset=get_image_model().objects.prefetch_renditions(THUMBNAIL))


def children_of(pages: QuerySet, parent: Page) -> QuerySet:
    """``pages`` that are children of ``parent`` (Wagtail's ``child_of``, for any queryset of pages)."""
    return pages.filter(path__startswith=parent.path, depth=parent.depth + 1)


def public_parent(page_id: int, model: type[Page] = Page) -> Page:
    """The public page ``page_id`` (of ``model``), whose children a list is restricted to (``child_of``).

    A page that is not public, or not of ``model``, is refused like one that does not exist: a 400 naming
    ``child_of`` that says nothing of drafts.
    """
    parent = public_pages(model).filter(pk=page_id).first()
    if parent is None:
        raise InvalidInput(
            "child_of",
            _("No published %(type)s with id %(id)s.") % {"type": model._meta.verbose_name, "id": page_id},
            "unknown_parent",
        )
    return parent


def list_cases(
    locale: Locale,
    filters: CaseFilters,
    page_number: int,
    page_size: int,
    fallback: bool,
    ordering: str = "title",
    parent: Page | None = None,
    thumbnails: bool = True,
) -> CaseList:
    """One page of the cases of ``locale`` that match ``filters`` (checked codes), in ``ordering``;
    with ``parent`` (a case index, ``public_parent``) only its cases; ``thumbnails``: with their hero
    images' ``THUMBNAIL`` renditions (two queries more)."""
    order = CASE_ORDERINGS.get(ordering)
    if order is None:
        raise InvalidInput(
            "ordering",
            _("Unknown ordering %(ordering)s; known: %(known)s.")
            % {"ordering": repr(ordering[:40]), "known": ", ".join(CASE_ORDERINGS)},
            "unknown_ordering",
        )
    cases = filter_cases(localized_pages(CaseStudyPage, locale, fallback), filters)
    if parent is not None:
        cases = children_of(cases, parent)
    if any(filters.values()):
        count = cases.count()
    else:
        count = _unfiltered_count(cases, ("cases", locale.pk, fallback, parent.pk if parent is not None else None))
    start = (page_number - 1) * page_size
    # Terms by code (``many_term_codes``) rather than ``case_queryset``'s term rows.
    read = CaseStudyPage.objects.select_related("locale", *SINGLE_TERM_FIELDS)
    if thumbnails:
        read = read.prefetch_related(thumbnail_prefetch())
    # The page's ids are chosen first, sorting only ids and the order's columns; the full rows of
    # those few are read after (sorting every matching row whole cost 40 ms at 10,000 cases).
    chosen = cases.order_by(*order).values("pk")[start : start + page_size]
    window = list(read.filter(pk__in=chosen).order_by(*order))
    labels = label_lookup(locale.language_code)
    many = many_term_codes([page.pk for page in window], labels)
    return CaseList(
        count=count,
        cases=[CaseSummary(page, case_terms(page, labels, many)) for page in window],
        translations=Translations(window),
    )


# The number of items of an unfiltered list, per process: (list, locale, fallback, parent[, type]) ->
# (generation of the public pages it was counted in, count). Which pages an unfiltered list of cases
# or of pages (of one type) holds depends on which pages are public and where they are, and nothing
# else; every change of that renews the generation (``manual.services.sitemap.generation``, as for
# the reader's navigation), so the next request counts again. A count reads every case of the locale
# (15 ms at 10,000 cases, docs/performance.md); the token is one read of the database cache. A
# filtered count of cases also depends on the terms' links and codes, and is counted on every request.
_unfiltered_counts: dict[tuple[Any, ...], tuple[str, int]] = {}


def _unfiltered_count(items: QuerySet, key: tuple[Any, ...]) -> int:
    current = sitemap.generation()
    cached = _unfiltered_counts.get(key)
    if cached is not None and cached[0] == current:
        return cached[1]
    count = items.count()
    if any(generation != current for generation, _count in _unfiltered_counts.values()):
        _unfiltered_counts.clear()  # counted in an older generation: never read again
    _unfiltered_counts[key] = (current, count)
    return count


def forget_counts() -> None:
    """Drop the kept counts (tests: the generation rolls back with their transaction)."""
    _unfiltered_counts.clear()


# --- Pages of any type ---------------------------------------------------------------------------


@dataclass
class PageList:
    count: int  # of every page that matches
    pages: list[Page]  # of the page asked for, in tree order
    translations: Translations


def list_pages(
    locale: Locale,
    model: type[Page] | None,
    parent: Page | None,
    page_number: int,
    page_size: int,
    fallback: bool,
) -> PageList:
    """One page of the public pages of ``locale`` (of ``model``, under ``parent``), in tree order.

    Wagtail's root (depth 1) is no page of the manual. The pages are read as ``Page`` rows; their
    type comes from the content type (Django's cache), so the cost does not grow with their number.
    """
    pages = localized_pages(model or Page, locale, fallback).filter(depth__gt=1)
    if parent is not None:
        pages = children_of(pages, parent)
    parent_id = parent.pk if parent is not None else None
    count = _unfiltered_count(pages, ("pages", locale.pk, fallback, parent_id, model._meta.label if model else None))
    start = (page_number - 1) * page_size
    ids = pages.values("pk")
    window = list(Page.objects.filter(pk__in=ids).select_related("locale").order_by("path")[start : start + page_size])
    return PageList(count=count, pages=window, translations=Translations(window))


def latest_cases(locale_id: int, count: int) -> list[CaseStudyPage]:
    """The cases of a locale published last.

    Chosen by id first, as ``list_cases`` does: sorting every case's whole row cost 120 ms at 10,000
    cases, sorting their ids and dates 30 (docs/performance.md).
    """
    return _latest_cases(count)(locale_id)


@cache
def _latest_cases(count: int) -> PreparedRead:
    """The home's read of its latest cases: SQL compiled once per process (core.prepared)."""

    def newest_of(locale_id: int) -> QuerySet:
        order = ("-first_published_at", "pk")
        newest = public_pages(CaseStudyPage).filter(locale_id=locale_id).order_by(*order).values("pk")[:count]
        return CaseStudyPage.objects.filter(pk__in=newest).order_by(*order)

    return PreparedRead(newest_of, int)


@dataclass
class CaseReferences:
    """The cases a body refers to, as summaries of the version readers of a locale are sent to."""

    summaries: dict[int, CaseSummary]  # referenced case id -> summary; public cases only
    translations: Translations  # of the referenced cases (the summaries' versions included)


def read_case_references(cases: Iterable[Page | None], locale: Locale) -> CaseReferences:
    """Each public case of ``cases`` in its public version in ``locale``, else in its own.

    A constant number of queries (``Translations``, then ``case_queryset``) whatever the number of
    references; a case that is not public (a draft, an alias) has no summary.
    """
    referenced = [case for case in cases if case is not None]
    translations = Translations(referenced)
    shown: dict[int, int] = {}
    for case in referenced:
        if any(version.pk == case.pk for version in translations.of(case)):
            shown[case.pk] = translations.shown(case, locale.pk).pk
    pages = case_queryset().in_bulk(set(shown.values())) if shown else {}
    labels = label_lookup(locale.language_code)
    summaries = {
        case_id: CaseSummary(pages[page_id], case_terms(pages[page_id], labels))
        for case_id, page_id in shown.items()
        if page_id in pages
    }
    return CaseReferences(summaries, translations)


def case_index(locale_id: int) -> CaseStudyIndexPage | None:
    return next(iter(_case_index(locale_id)), None)


_case_index = PreparedRead(
    lambda locale_id: CaseStudyIndexPage.objects.live().filter(locale_id=locale_id).order_by("pk")[:1], int
)


def case_countries() -> list[str]:
    """Country codes that have at least one published case, sorted."""
    return sorted(set(public_pages(CaseStudyPage).values_list("country", flat=True)))


# --- Sections ------------------------------------------------------------------------------------


@dataclass
class SectionReading:
    """A section with its sub-sections, as the API shows it, read in ``locale``."""

    page: ManualSectionPage
    locale: Locale
    children: list[ManualSectionPage]
    translations: Translations  # of the section and its sub-sections


def read_section_by_id(page_id: int, locale_code: str | None, fallback: bool) -> SectionReading:
    page, locale = find_translation(page_id, ManualSectionPage, locale_code, fallback)
    # Content in its own language only: the API's client asks for fallbacks (``fallback``).
    children = list(public_pages(ManualSectionPage).child_of(page).select_related("locale").order_by("path"))
    return SectionReading(page, locale, children, Translations([page, *children]))


@dataclass
class SectionList:
    sections: list[ManualSectionPage]  # in tree order
    translations: Translations


def list_sections(locale: Locale, fallback: bool) -> SectionList:
    """Every public section of ``locale`` in tree order (with ``fallback``, as ``localized_pages``)."""
    sections = list(localized_pages(ManualSectionPage, locale, fallback).select_related("locale").order_by("path"))
    return SectionList(sections, Translations(sections))


def localize_case_references(page: ManualSectionPage) -> None:
    """Give each case reference of the body its case in the page's locale, ``value["shown_case"]``.

    One query for all references: the block template would otherwise ask ``case.localized`` for each.
    """
    references = [block.value for block in page.body if block.block_type == "case_reference" and block.value["case"]]
    if not references:
        return
    translations = Translations(value["case"] for value in references)
    for value in references:
        value["shown_case"] = translations.shown(value["case"], page.locale_id)


# --- Navigation in a locale's tree ---------------------------------------------------------------
# The reader walks the tree of the URL's locale, where an untranslated page is its alias (the source
# page's copy): navigation lists live pages, aliases included, and a page shows it is a fallback.


# The reads of navigation below run for every section and home a reader opens: their SQL is
# compiled once per process (core.prepared).


def _chapters_of(language_code: str) -> QuerySet:
    rows = ManualSectionPage.objects.live().filter(locale__language_code=language_code, depth=3)
    return rows.defer("body").order_by("path")


_chapters = PreparedRead(_chapters_of, str)


def chapters(language_code: str) -> list[ManualSectionPage]:
    """The top sections of a locale's manual (its home is a child of Wagtail's root, depth 2)."""
    return _chapters(language_code)


def _sections_below(path: str, depth: int) -> QuerySet:
    # PageQuerySet.child_of's condition, with the parent's path and depth as the read's values.
    return ManualSectionPage.objects.live().filter(path__startswith=path, depth=depth).order_by("path")


_sections_at = PreparedRead(_sections_below, str, int)


def sub_sections(place: Page) -> list[ManualSectionPage]:
    return _sections_at(place.path, place.depth + 1)


@dataclass
class Neighbours:
    previous: ManualSectionPage | None = None
    next: ManualSectionPage | None = None


def neighbours(place: Page) -> Neighbours:
    """The sections before and after ``place`` among its siblings."""
    parent_path = place.path[: -Page.steplen]  # PageQuerySet.sibling_of's condition
    previous = _previous_section(parent_path, place.depth, place.path)
    following = _next_section(parent_path, place.depth, place.path)
    return Neighbours(previous=next(iter(previous), None), next=next(iter(following), None))


def _sibling_before(parent_path: str, depth: int, path: str) -> QuerySet:
    siblings = ManualSectionPage.objects.live().filter(path__startswith=parent_path, depth=depth)
    return siblings.filter(path__lt=path).order_by("-path")[:1]


def _sibling_after(parent_path: str, depth: int, path: str) -> QuerySet:
    siblings = ManualSectionPage.objects.live().filter(path__startswith=parent_path, depth=depth)
    return siblings.filter(path__gt=path).order_by("path")[:1]


_previous_section = PreparedRead(_sibling_before, str, int, str)
_next_section = PreparedRead(_sibling_after, str, int, str)


def ancestors(place: Page) -> list[Page]:
    """Home and the chapters above ``place``; Wagtail's root (depth 1) is not a page visitors see."""
    routed = place.__dict__.get("route_ancestors")  # read as the page was routed (routing.route_below)
    if routed is not None:
        return [page for page in routed if page.depth > 1]
    return list(Page.objects.ancestor_of(place).filter(depth__gt=1).order_by("depth"))


def alias_source_language(page: Page) -> str | None:
    """The language of the page an alias copies, None when ``page`` is no alias."""
    if not page.alias_of_id:
        return None
    source = Page.objects.filter(pk=page.alias_of_id).select_related("locale").only("locale__language_code").first()
    return source.locale.language_code if source else None
