"""A StreamField body as the API serves it: every block with what a front end needs to render it.

Wagtail's own API form of a body (``get_api_representation``) gives chosen objects as ids and rich
text as stored, with ``<a linktype="page" id="12">``. Here each value is walked along its block's
declaration (``manual.blocks``), the same walk that ``manual.schemas.body_block_schemas`` makes to
publish the types, and:

- rich text is expanded for the reader's locale (``manual.services.rich_text``);
- a chosen image is its renditions (``manual.services.media``: ``src``, ``srcset``);
- a chosen document is its ``id``, ``title`` and ``url``;
- a chosen case is the summary the case list gives (``api_shapes.case_summary``) of its public
  version in the reader's locale, else of the case itself (``fallback`` true);
- an embed is its ``url``, with the provider's HTML, title and size when Wagtail has stored them
  (``fetched_embeds``).

A block whose chosen object is gone or not public (a draft case, an image or document in a
restricted collection such as that of submissions in review) is left out of the answer.
Everything is read in a constant number of queries whatever the number of blocks: the stream loads
each kind of chosen object in one query, then the renditions, the links of every rich text and the
referenced cases are each read once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest
from wagtail import blocks
from wagtail.blocks import StreamValue
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.models import Embed
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Locale

from manual.services.media import PublicMedia, document_ref, image_sources, prefetch_renditions
from manual.services.read_model import CaseReferences, CaseSummary, Translations, read_case_references
from manual.services.rich_text import RichTextResolver

# Shapes a referenced case's summary; given by ``api_shapes``, which calls this module.
Summarise = Callable[[CaseSummary, Translations], dict[str, Any]]


class _Omit:
    """The value of a block that has nothing public to show."""


OMIT = _Omit()


def _parts(block: blocks.Block, value: Any) -> Iterator[tuple[blocks.Block, Any]]:
    """The child blocks of ``block`` with their values."""
    if value is None:
        return
    if isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            yield child, value.get(name)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield block.child_block, item


class BodyShaper:
    """The blocks of one body, read for readers of ``locale``."""

    def __init__(self, request: HttpRequest | None, locale: Locale, summarise: Summarise) -> None:
        self.locale = locale
        self.summarise = summarise
        self.media = PublicMedia()
        self.rich_text = RichTextResolver(request, locale, self.media)
        self._images: list[Any] = []
        self._cases: list[Any] = []
        self._embed_urls: set[str] = set()
        self._embeds: dict[str, Embed] = {}
        self._references: CaseReferences | None = None

    def shape(self, body: StreamValue) -> list[dict[str, Any]]:
        children = list(body)
        for child in children:
            self._collect(child.block, child.value)
        prefetch_renditions(self._images)
        self._references = read_case_references(self._cases, self.locale) if self._cases else None
        self._embeds = fetched_embeds(self._embed_urls)
        shaped = []
        for child in children:
            value = self._shape(child.block, child.value)
            if value is not OMIT:
                shaped.append({"type": child.block_type, "id": child.id, "value": value})
        return shaped

    def _collect(self, block: blocks.Block, value: Any) -> None:
        """Note what the value refers to, so that it is read once for the whole body."""
        if isinstance(block, blocks.RichTextBlock):
            self.rich_text.add(value.source if value else "")
        elif isinstance(block, ImageChooserBlock):
            self._images.append(value)
        elif isinstance(block, blocks.PageChooserBlock):
            self._cases.append(value)
        elif isinstance(block, EmbedBlock) and value:
            self._embed_urls.add(value.url)
        for child, child_value in _parts(block, value):
            self._collect(child, child_value)

    def _shape(self, block: blocks.Block, value: Any) -> Any:
        if isinstance(block, blocks.StructBlock):
            shaped = {}
            for name, child in block.child_blocks.items():
                shaped[name] = self._shape(child, value.get(name) if value is not None else None)
                if shaped[name] is OMIT:
                    return OMIT
            return shaped
        if isinstance(block, blocks.ListBlock):
            items = (self._shape(child, item) for child, item in _parts(block, value))
            return [item for item in items if item is not OMIT]
        if isinstance(block, blocks.RichTextBlock):
            return self.rich_text.expand(value.source if value else "")
        if isinstance(block, ImageChooserBlock):
            return image_sources(value) if self.media.is_public(value) else OMIT
        if isinstance(block, DocumentChooserBlock):
            return document_ref(value) if self.media.is_public(value) else OMIT
        if isinstance(block, blocks.PageChooserBlock):
            return self._case(value)
        if isinstance(block, EmbedBlock):
            return embed_ref(value.url, self._embeds.get(value.url)) if value else OMIT
        # A text added to a block after it was stored is missing from it: an empty text then.
        representation = block.get_api_representation(value)
        return "" if representation is None else representation

    def _case(self, page: Any) -> Any:
        references = self._references
        summary = references.summaries.get(page.pk) if references and page is not None else None
        if summary is None or references is None:
            return OMIT
        return self.summarise(summary, references.translations)


def fetched_embeds(urls: set[str]) -> dict[str, Embed]:
    """What Wagtail's embed finders stored for ``urls`` (when a reader's page showed them): one query.

    An answer never asks a provider itself: that would put a third party's latency in the API's.
    """
    if not urls:
        return {}
    found: dict[str, Embed] = {}
    for embed in Embed.objects.filter(url__in=urls).exclude(html="").order_by("-last_updated"):
        found.setdefault(embed.url, embed)
    return found


def embed_ref(url: str, embed: Embed | None) -> dict[str, Any]:
    if embed is None:
        return {"url": url, "html": None, "title": "", "thumbnail_url": "", "width": None, "height": None}
    return {
        "url": url,
        "html": embed.html,
        "title": embed.title,
        "thumbnail_url": embed.thumbnail_url,
        "width": embed.width,
        "height": embed.height,
    }


def body_blocks(
    request: HttpRequest | None, locale: Locale, body: StreamValue, summarise: Summarise
) -> list[dict[str, Any]]:
    """The API's blocks of ``body`` for readers of ``locale``: ``{type, id, value}`` each."""
    return BodyShaper(request, locale, summarise).shape(body)
