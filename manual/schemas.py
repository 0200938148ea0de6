"""Response shapes of the manual's API routes, as the OpenAPI document publishes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import create_model
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from core.lists import Listing, selectable
from manual.blocks import SectionBodyBlock
from manual.case_facts import CASE_FACTS, CHOICE, COUNT, CaseFact
from manual.taxonomy_registry import TaxonomyKind, in_display_order, taxonomy_kinds

# The `type` of a page in lists and in /api/v1/pages/find (``api_shapes.PAGE_TYPES``): a case study, a
# section, a locale's home page, the case index, or `page` for any other type.
PageType = Literal["case_study", "section", "home", "case_index", "page"]


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


class Coordinates(Schema):
    lat: float
    lon: float


class CaseSummary(_CaseClassified):
    region: str
    coordinates: Coordinates | None
    start_year: int
    end_year: int | None
    initiative_status: str
    initiative_status_label: str = Field(description="`initiative_status` in the language asked for.")
    first_published_at: datetime | None
    last_published_at: datetime | None


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


# The widths of an image's renditions in the API (``srcset``); the default (``src``) is the middle one.
SRCSET_WIDTHS = (480, 800, 1200)
SRC_WIDTH = SRCSET_WIDTHS[len(SRCSET_WIDTHS) // 2]


class Rendition(Schema):
    url: str = Field(description="Site-relative URL of the rendition's file.")
    width: int
    height: int


class ImageSources(Schema):
    id: int
    title: str
    src: Rendition = Field(description=f"The default rendition ({SRC_WIDTH} pixels wide at most).")
    srcset: list[Rendition] = Field(
        description=f"Renditions by increasing width ({', '.join(map(str, SRCSET_WIDTHS))} pixels at most; an "
        "image is never enlarged, a width it does not reach is left out), for `<img srcset>`."
    )


class ImageRef(ImageSources):
    """A case's hero image: its renditions, and ``url``, ``width``, ``height`` of a large one (1600 x 1000 at most)."""

    url: str
    width: int
    height: int


class LicenceRef(Schema):
    code: str
    name: str


class Choice(Schema):
    """A code of a fixed choice (manual.case_facts) and its label in the requested locale."""

    code: str
    label: str


def _fact_field(fact: CaseFact) -> tuple[Any, Any]:
    described = fact.description
    if fact.kind == CHOICE:
        codes = ", ".join(fact.codes())
        return Choice | None, Field(description=f"{described} One of {codes}, with its label; null when unknown.")
    if fact.kind == COUNT:
        return int | None, Field(description=f"{described} Null when unknown.")
    return str, Field(description=f"{described} Empty when unknown.")


# The participation and evaluation facts of a case, one field per declaration (manual.case_facts).
_FACT_FIELDS: dict[str, Any] = {fact.name: _fact_field(fact) for fact in CASE_FACTS}
CaseFacts = create_model("CaseFacts", __base__=Schema, **_FACT_FIELDS)


class CaseDetail(CaseSummary, CaseFacts):  # type: ignore[misc,valid-type] # a base made from the declarations
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


class Thumbnail(Schema):
    url: str
    width: int
    height: int
    alt: str


class _CaseCard(CaseSummary):
    type: Literal["case_study"]
    thumbnail: Thumbnail | None = Field(description="The hero image cut for a card (640×400, WebP).")


# An item of /api/v1/cases: what a card and a map show. Every field but id, type and url may be left
# out by `fields=` (core.lists).
CaseCard = selectable(_CaseCard, "CaseCard")


class CaseList(Listing):
    results: list[CaseCard]  # type: ignore[valid-type]  # built by core.lists.selectable


class SectionItem(PageItem):
    intro: str


# A node of /api/v1/sections: its fields as `fields=` selects them (core.lists.selectable), and its
# sub-sections whatever `fields=` asks, so the tree keeps its shape.
_SectionFields = selectable(SectionItem, "SectionFields")


class SectionNode(_SectionFields):  # type: ignore[misc,valid-type]  # built by core.lists.selectable
    children: list[SectionNode]


class SectionTree(Listing):
    results: list[SectionNode]


# --- Blocks of a body (manual.services.api_blocks shapes them) ----------------------------------


class EmbedRef(Schema):
    url: str = Field(description="The embedded page's URL (oEmbed).")
    html: str | None = Field(
        description="The provider's HTML for it, as Wagtail stored it when a reader's page showed it; null "
        "until then (render from `url` with an oEmbed client)."
    )
    title: str
    thumbnail_url: str
    width: int | None
    height: int | None


RICH_TEXT_DESCRIPTION = (
    "HTML; internal links are public URLs in the requested locale, links to unpublished pages are removed "
    "(their text stays)."
)


def _choices(block: blocks.ChoiceBlock) -> Any:
    values = tuple(str(value) for value, _label in block.field.choices)
    return Literal[values]  # type: ignore[valid-type]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _value_type(block: blocks.Block) -> Any:
    """The type of a block's value in the API, read from its declaration (``manual.blocks``)."""
    if isinstance(block, blocks.StructBlock):
        fields: dict[str, Any] = {name: (_value_type(child), ...) for name, child in block.child_blocks.items()}
        return create_model(f"{type(block).__name__}Value", __base__=Schema, **fields)
    if isinstance(block, blocks.ListBlock):
        return list[_value_type(block.child_block)]  # type: ignore[misc]
    if isinstance(block, blocks.RichTextBlock):
        return Annotated[str, Field(description=RICH_TEXT_DESCRIPTION)]
    if isinstance(block, blocks.ChoiceBlock):
        return _choices(block)
    if isinstance(block, ImageChooserBlock):
        return ImageSources
    if isinstance(block, DocumentChooserBlock):
        return DocumentRef
    if isinstance(block, blocks.PageChooserBlock):
        return CaseSummary  # the one page type chosen in a body (CaseStudyReferenceBlock)
    if isinstance(block, EmbedBlock):
        return EmbedRef
    if isinstance(block, blocks.FieldBlock):
        return str
    raise TypeError(f"No API type for {type(block).__name__}: declare it in manual.schemas._value_type.")


def body_block_schemas(stream: blocks.StreamBlock) -> list[type[Schema]]:
    """One schema per block type of ``stream`` (``HeadingBlockOut``...): ``type``, ``id`` and ``value``."""
    return [
        create_model(
            f"{_camel(name)}BlockOut",
            __base__=Schema,
            type=(Literal[name], ...),  # type: ignore[arg-type]
            id=(str, ...),
            value=(_value_type(block), ...),
        )
        for name, block in stream.child_blocks.items()
    ]


# A block of a section's body, told apart by `type`; blocks whose chosen object is not public
# (a draft case, a private image) are left out of the answer.
if TYPE_CHECKING:
    SectionBodyBlockOut = dict[str, Any]
else:
    SectionBodyBlockOut = Annotated[reduce(or_, body_block_schemas(SectionBodyBlock())), Field(discriminator="type")]


class SectionDetail(SectionItem):
    body: list[SectionBodyBlockOut]
    children: list[SectionItem]
    seo: Seo


class TaxonomyTerm(Schema):
    code: str
    label: str
    description: str
    translated: bool


class TaxonomyList(Listing):
    results: list[TaxonomyTerm]


class LocaleItem(Schema):
    code: str
    name: str
    name_local: str
    default: bool
    bidi: bool


class LocaleList(Listing):
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


class TranslationStatusList(Listing):
    results: list[TranslationStatusItem]
    taxonomies: dict[str, TaxonomyTranslationStatus] = Field(
        description="Per target locale: taxonomy terms labelled in it, and those still shown with the default "
        "locale's label (`translated: false` in the API)."
    )


class _PageCard(PageItem):
    type: PageType


# An item of /api/v1/pages; `fields=` as in /api/v1/cases.
PageCard = selectable(_PageCard, "PageCard")


class PageList(Listing):
    results: list[PageCard]  # type: ignore[valid-type]  # built by core.lists.selectable


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
