"""Response shapes of the manual's API routes, as the OpenAPI document publishes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import create_model

from manual.taxonomy_registry import TaxonomyKind, in_display_order, taxonomy_kinds


class TranslationLink(Schema):
    id: int
    url: str | None


class PageItem(Schema):
    id: int
    translation_key: str
    locale: str
    url: str | None
    title: str
    translations: dict[str, TranslationLink]
    fallback: bool


class Seo(Schema):
    """What search engines and link previews show of a page (manual.services.seo)."""

    title: str = Field(description="The promote tab's SEO title, else the page title.")
    description: str = Field(
        description="The promote tab's search description, else the case's summary or the page's intro "
        "(without markup, at most 200 characters), else empty."
    )


class PageDetail(PageItem):
    seo: Seo


class Term(Schema):
    code: str
    label: str
    translated: bool


class Country(Schema):
    code: str
    name: str


class _CaseWhere(PageItem):
    summary: str
    organisation: str
    city: str
    country: Country


def _in_case_order(kinds: Sequence[TaxonomyKind]) -> list[TaxonomyKind]:
    """The order of a case's taxonomy fields, as the API has always given them: the kinds of one
    term first, in the forms' order (``in_display_order``), then those of many, as declared."""
    return [*in_display_order(kind for kind in kinds if not kind.many), *(kind for kind in kinds if kind.many)]


def _terms_field(kind: TaxonomyKind) -> Any:
    """A taxonomy's field in a case: its terms, or its one term (None when the case has none)."""
    return (list[Term], ...) if kind.many else (Term | None, ...)


# One field per taxonomy of the registry (its case field's name), between where and when; the type
# checker is shown the base without them (their names are the registry's, known when it runs).
if TYPE_CHECKING:
    _CaseClassified = _CaseWhere
else:
    _CaseClassified = create_model(
        "_CaseClassified",
        __base__=_CaseWhere,
        **{kind.field: _terms_field(kind) for kind in _in_case_order(taxonomy_kinds())},
    )


class CaseSummary(_CaseClassified):
    start_year: int
    end_year: int | None
    initiative_status: str
    first_published_at: datetime | None
    last_published_at: datetime | None


class Coordinates(Schema):
    lat: float
    lon: float


class CaseBody(Schema):
    context: str
    objectives: str
    approach: str
    technology: str
    results: str
    lessons: str
    transferability: str


class Metric(Schema):
    label: str
    value: float
    unit: str


class Link(Schema):
    title: str
    url: str


class Contact(Schema):
    name: str
    role: str
    organisation: str
    email: str
    url: str


class DocumentRef(Schema):
    id: int
    title: str
    url: str


class RelatedCaseRef(Schema):
    id: int
    title: str
    url: str | None
    locale: str


class ImageRef(Schema):
    id: int
    title: str
    url: str
    width: int
    height: int


class LicenceRef(Schema):
    code: str
    name: str


class CaseDetail(CaseSummary):
    region: str
    coordinates: Coordinates | None
    population: int | None
    body: CaseBody
    metrics: list[Metric]
    links: list[Link]
    contacts: list[Contact]
    documents: list[DocumentRef]
    related: list[RelatedCaseRef]
    hero_image: ImageRef | None
    licence: LicenceRef
    attribution: str
    seo: Seo


class CaseList(Schema):
    count: int
    results: list[CaseSummary]


class SectionItem(PageItem):
    intro: str


class SectionNode(SectionItem):
    children: list[SectionNode]


class SectionTree(Schema):
    count: int
    results: list[SectionNode]


class SectionDetail(SectionItem):
    body: list[dict[str, Any]]
    children: list[SectionItem]
    seo: Seo


class TaxonomyTerm(Schema):
    code: str
    label: str
    description: str
    translated: bool


class TaxonomyList(Schema):
    count: int
    results: list[TaxonomyTerm]


class LocaleItem(Schema):
    code: str
    name: str
    name_local: str
    default: bool
    bidi: bool


class LocaleList(Schema):
    count: int
    results: list[LocaleItem]


class TranslationLocaleStatus(Schema):
    present: bool
    page_id: int | None
    live: bool
    submitted: bool
    percent: int
    total: int
    translated: int
    outdated: int
    machine: int
    human: int
    reviewed: int


class TranslationStatusItem(Schema):
    id: int
    translation_key: str
    type: str
    title: str
    locale: str
    locales: dict[str, TranslationLocaleStatus]


class UntranslatedTerm(Schema):
    kind: str = Field(description="The taxonomy, as in `/api/v1/taxonomies/{kind}`.")
    code: str
    label: str = Field(description="The default locale's label, which readers see until it is translated.")


class TaxonomyTranslationStatus(Schema):
    total: int
    translated: int
    percent: int
    untranslated: list[UntranslatedTerm]


class TranslationStatusList(Schema):
    count: int
    results: list[TranslationStatusItem]
    taxonomies: dict[str, TaxonomyTranslationStatus] = Field(
        description="Per target locale: taxonomy terms labelled in it, and those still shown with the default "
        "locale's label (`translated: false` in the API)."
    )


# /api/v1/pages/find: one variant per page type, told apart by `type`.
class FoundCase(Schema):
    type: Literal["case_study"]
    id: int
    detail: CaseDetail


class FoundSection(Schema):
    type: Literal["section"]
    id: int
    detail: SectionDetail


class FoundPage(Schema):
    """A page without a detail route of its own: the home page of a locale, the case index."""

    type: Literal["home", "case_index", "page"]
    id: int
    detail: PageDetail


FoundAtPath = Annotated[FoundCase | FoundSection | FoundPage, Field(discriminator="type")]
