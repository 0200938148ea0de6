"""Body text from strangers, made safe for a Wagtail rich-text field.

A body section arrives as plain text or as limited HTML. Plain text is escaped and split into
paragraphs; HTML is sanitised by nh3 (the Ammonia sanitiser) to the tags the case study's rich-text
fields offer editors (``manual.blocks.PARAGRAPH_FEATURES``: bold, italic, links, lists), so what a
submitter sends never holds more than an editor could have typed. ``<script>`` and ``<style>`` go
with their content; links keep only http, https and mailto targets.

A helper of the document's own validators (``submissions.schemas``), so it sits below them and the
services (the app's layers, docs/architecture.md "Layers").
"""

from __future__ import annotations

import re
from html import escape

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_BLOCK_START = re.compile(r"^\s*<(p|ul|ol)[\s>]", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_EMPTY = re.compile(r"^(\s|<br\s*/?>|<p>\s*</p>)*$", re.IGNORECASE)


def plain_text_to_html(text: str) -> str:
    """Blank lines separate paragraphs; single line breaks stay line breaks."""
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")) if part.strip()]
    return "".join("<p>" + escape(part, quote=False).replace("\n", "<br/>") + "</p>" for part in paragraphs)


def sanitise_html(text: str) -> str:
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        # Wagtail stores links as bare <a href>; rel/target are the front end's business.
        link_rel=None,
        strip_comments=True,
    ).strip()
    if cleaned and not _BLOCK_START.match(cleaned):
        # Inline HTML ("a <b>bold</b> claim") becomes one paragraph, as the rich-text editor would make it.
        cleaned = f"<p>{cleaned}</p>"
    return cleaned


def to_rich_text(text: str) -> str:
    """The stored form of one body section: sanitised HTML, or ``""`` when nothing readable is left."""
    html = sanitise_html(text) if nh3.is_html(text) else plain_text_to_html(text)
    return "" if _EMPTY.match(html) else html


def visible_text(html: str) -> str:
    """The words a reader sees, for length checks and previews."""
    return nh3.clean(html, tags=set()).strip()
