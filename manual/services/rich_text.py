"""Rich text as the API serves it: Wagtail's stored HTML with its references made public URLs.

Wagtail stores references, not URLs: ``<a linktype="page" id="12">``, ``<a linktype="document"
id="3">``, ``<embed embedtype="image" id="5" .../>``. ``expand_db_html`` turns them into HTML with
one query per kind and per text, and links a page in the active language whatever its state.
``RichTextResolver`` does the same with Wagtail's rewriters (``wagtail.rich_text.rewriters``) and
the tags they find, for every text of an answer at once and in the reader's locale:

- a page link goes to the linked page's public version in the requested locale, else to the page
  itself; a link to a page that is not public (a draft, an alias, a stand-in awaiting translation,
  ``manual.services.publication``) keeps its text and loses its anchor;
- a document link goes to the document's URL; one that is not public (``manual.services.media``)
  loses its anchor;
- an embedded image becomes an ``<img>`` with ``src``, ``srcset``, ``width`` and ``height``
  (``manual.services.media``); a missing or private one is left out.

``add`` every text first, then ``expand`` each: the look-ups are made once, on the first ``expand``
(a query per kind that occurs), whatever the number of texts and links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.html import escape, format_html
from wagtail.models import Locale, Page
from wagtail.rich_text import features
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter, MultiRuleRewriter

from core.api_errors import MAX_ID
from manual.services.media import PublicMedia, image_sources
from manual.services.publication import public_pages
from manual.services.read_model import VERSION_FIELDS

T = TypeVar("T")

# The opening tag given to a link that must not link: the rewriter replaces opening tags only, so
# the anchor is marked, then removed with its closing tag (rich text never nests anchors).
_UNLINKED = '<a data-unlinked="">'
_UNLINKED_ANCHOR = re.compile(re.escape(_UNLINKED) + r"(.*?)</a>", re.DOTALL)


class RichTextResolver:
    """The rich texts of one answer, expanded for readers of ``locale``."""

    def __init__(self, request: HttpRequest | None, locale: Locale, media: PublicMedia | None = None) -> None:
        self.request = request
        self.locale = locale
        self.media = media or PublicMedia()
        self._ids: dict[str | None, set[int]] = {}  # by link type ("page", "document") or embed type ("image")

    def add(self, source: str) -> None:
        """Note what ``source`` refers to, for the look-ups of ``expand``."""
        for rewriter in (LinkRewriter(), EmbedRewriter()):
            for kind, matches in rewriter.extract_tags(source).items():
                ids = {found for match in matches if (found := _id(match.attrs)) is not None}
                self._ids.setdefault(kind, set()).update(ids)

    def add_all(self, sources: Iterable[str]) -> None:
        for source in sources:
            self.add(source)

    def expand(self, source: str) -> str:
        """``source`` with its references resolved (``add`` it first: a text not added links nothing)."""
        if not source:
            return ""
        return _UNLINKED_ANCHOR.sub(r"\1", self._rewriter(source))

    # --- look-ups, once per answer ---

    def _wanted(self, kind: str) -> set[int]:
        return self._ids.get(kind, set())

    @cached_property
    def _page_urls(self) -> dict[int, str]:
        """Linked page id -> URL of its public version in the locale, else of itself (public pages only)."""
        wanted = self._wanted("page")
        if not wanted:
            return {}
        linked_keys = Page.objects.filter(pk__in=wanted).values("translation_key")
        versions = public_pages(Page).filter(translation_key__in=linked_keys).select_related("locale")
        by_key: dict[Any, dict[int, Page]] = {}
        linked: dict[int, Page] = {}
        for version in versions.only(*VERSION_FIELDS):
            by_key.setdefault(version.translation_key, {})[version.locale_id] = version
            if version.pk in wanted:
                linked[version.pk] = version
        urls = {}
        for page_id, page in linked.items():
            shown = by_key[page.translation_key].get(self.locale.pk, page)
            url = shown.get_url(self.request)
            if url:
                urls[page_id] = url
        return urls

    @cached_property
    def _document_urls(self) -> dict[int, str]:
        return {pk: document.url for pk, document in self.media.documents(self._wanted("document")).items()}

    @cached_property
    def _images(self) -> dict[int, Any]:
        return self.media.images(self._wanted("image"))

    # --- rewriting, with Wagtail's rewriters and the look-ups above ---

    def _page_links(self, attrs_list: list[dict]) -> list[str]:
        return [_link(_referenced(self._page_urls, attrs)) for attrs in attrs_list]

    def _document_links(self, attrs_list: list[dict]) -> list[str]:
        return [_link(_referenced(self._document_urls, attrs)) for attrs in attrs_list]

    def _image_embeds(self, attrs_list: list[dict]) -> list[str]:
        return [_img(_referenced(self._images, attrs), attrs.get("alt", "")) for attrs in attrs_list]

    @cached_property
    def _rewriter(self) -> MultiRuleRewriter:
        """Wagtail's rewriter (``wagtail.rich_text.get_rewriter``) with our rules for the references."""
        link_rules = {kind: handler.expand_db_attributes_many for kind, handler in features.get_link_types().items()}
        embed_rules = {kind: handler.expand_db_attributes_many for kind, handler in features.get_embed_types().items()}
        link_rules.update(page=self._page_links, document=self._document_links)
        embed_rules["image"] = self._image_embeds
        return MultiRuleRewriter([LinkRewriter(bulk_rules=link_rules), EmbedRewriter(bulk_rules=embed_rules)])


def _id(attrs: dict) -> int | None:
    """The id a tag refers to; None for a missing or impossible one (it then resolves to nothing)."""
    try:
        found = int(attrs["id"])
    except (KeyError, ValueError):
        return None
    return found if 1 <= found <= MAX_ID else None


def _referenced(found: Mapping[int, T], attrs: dict) -> T | None:
    """What ``found`` holds for the tag's id; None when it has none or the id is impossible."""
    pk = _id(attrs)
    return None if pk is None else found.get(pk)


def _link(url: str | None) -> str:
    return f'<a href="{escape(url)}">' if url else _UNLINKED


def _img(image: Any, alt: str) -> str:
    if image is None:
        return ""
    sources = image_sources(image)
    src = sources["src"]
    srcset = ", ".join(f"{source['url']} {source['width']}w" for source in sources["srcset"])
    return format_html(
        '<img src="{}" srcset="{}" width="{}" height="{}" alt="{}">',
        src["url"],
        srcset,
        src["width"],
        src["height"],
        alt,
    )
