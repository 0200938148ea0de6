"""Search documents: the fields every document has, around the fields its content app builds.

A document is one indexable page as the drivers store it. The builder of its registered type
(``SearchableType.build``, ``search.registry``) gives the fields of its own (``summary``, ``body``,
facet codes, ``start_year``, ``end_year``); this module adds what every document has (id,
translation key, type, locale, title, URL, first publication, the locales it has a real
translation in) and an empty list for each facet the builder leaves out. Batches take a constant
number of queries whatever their size.
"""

from __future__ import annotations

import html
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from typing import Any

import nh3
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from wagtail.models import Page

from search.registry import TYPE, facet_keys, searchable_types

# What the fields every document has read of its page (``_common_fields``; Wagtail's ``get_url``
# reads ``url_path``): a builder may load only these of ``Page`` (``QuerySet.only``) besides its own.
PAGE_FIELDS = ("title", "translation_key", "locale__language_code", "url_path", "first_published_at")


def indexable_pages() -> QuerySet:
    """The pages that are documents: every registered type's indexable pages, in one queryset of ``Page``."""
    return reduce(operator.or_, (searchable.pages() for searchable in searchable_types()), Page.objects.none())


def document_models() -> tuple[type[Page], ...]:
    return tuple(searchable.model for searchable in searchable_types())


def is_document_page(page: Page) -> bool:
    """Whether ``page`` (a specific page, as Wagtail's signals send it) is of a searchable type."""
    return isinstance(page, document_models()) and page.alias_of_id is None


def html_text(markup: str) -> str:
    """The words of rich text: tags (and script or style content) removed, entities decoded.

    nh3 parses HTML natively, several times faster than Django's ``strip_tags``, and gives text
    ("A & B", not "A &amp; B": the engine escapes highlights itself).
    """
    # Block tags end words: "</p><p>" must not glue the last word of one paragraph to the next.
    spaced = re.sub(r"<(/p|br|/li|/h[1-6])\b", r" <\1", markup or "")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def id_list(ids: Iterable[int]) -> RawSQL:
    """The right-hand side of an integer ``__in`` lookup for a batch of ids: ``pk__in=id_list(ids)``.

    The ids are inlined as integer literals: Django compiles each parameter of an ``__in`` list on
    its own, which took a fifth of a rebuild chunk's building time at a thousand ids
    (docs/performance.md, issue 16); ``int()`` leaves nothing but digits in the SQL. No ids match
    nothing (``IN (NULL)``).
    """
    return RawSQL(",".join(str(int(pk)) for pk in ids) or "NULL", [])  # noqa: S611 - integers only


def _translated_locales(page_ids: list[int]) -> dict[Any, list[str]]:
    """The locales of the indexable pages sharing a translation key with one of ``page_ids``."""
    keys = Page.objects.filter(pk__in=id_list(page_ids)).values("translation_key")
    found: dict[Any, list[str]] = defaultdict(list)
    rows = indexable_pages().filter(translation_key__in=keys).values_list("translation_key", "locale__language_code")
    for key, code in rows:
        found[key].append(code)
    return found


def build_documents(page_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Documents of the given pages (those still live and indexable), in page-id order."""
    ids = list(page_ids)
    built = [
        (searchable.name, page, fields) for searchable in searchable_types() for page, fields in searchable.build(ids)
    ]
    translated = _translated_locales([page.pk for _name, page, _fields in built])
    documents = [{**_common_fields(page, name, translated), **fields} for name, page, fields in built]
    documents.sort(key=lambda document: document["id"])
    return documents


def _common_fields(page: Page, doc_type: str, translated: dict[Any, list[str]]) -> dict[str, Any]:
    return {
        "id": page.pk,
        "translation_key": str(page.translation_key),
        TYPE: doc_type,
        "locale": page.locale.language_code,
        "title": page.title,
        "url": page.get_url(),
        "published_at": page.first_published_at.isoformat() if page.first_published_at else None,
        "translated_locales": sorted(translated.get(page.translation_key, [])),
        **{key: [] for key in facet_keys() if key != TYPE},
        "start_year": None,
        "end_year": None,
    }
