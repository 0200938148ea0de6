from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from search.query import SearchQuery


class EngineUnavailable(Exception):
    """The search engine did not answer (refused, timed out, or answered with a server error)."""


# What a result needs from its document; the engine sends only these (not the body text).
HIT_FIELDS = ("id", "translation_key", "type", "title", "summary", "url", "locale")
# Highlights: title and summary whole, and of the body one fragment of about BODY_FRAGMENT_SIZE
# characters around a match (the engine's best, the database's first): the reader's page shows the
# marked summary, or else that fragment (search/views.py); a second one was never shown.
BODY_FRAGMENT_SIZE = 160


@dataclass
class RawHit:
    # Only HIT_FIELDS of the indexed document are guaranteed: the engine returns no more.
    document: dict[str, Any]
    highlight: dict[str, list[str]]


@dataclass
class RawResults:
    """A driver's answer before labels are attached: facet counts are keyed by code."""

    count: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchDriver(ABC):
    name: str

    @abstractmethod
    def search(self, query: SearchQuery) -> RawResults: ...

    @abstractmethod
    def suggest(self, q: str, locale: str, limit: int) -> list[dict[str, Any]]: ...

    @abstractmethod
    def index(self, documents: list[dict[str, Any]]) -> None:
        """Add or replace documents (each knows its locale)."""

    @abstractmethod
    def delete(self, locale_page_ids: dict[str, list[int]]) -> None: ...

    @abstractmethod
    def rebuild(self, locale: str, documents: Iterable[dict[str, Any]]) -> int:
        """Replace the whole index of a locale; returns the number of documents written."""

    @abstractmethod
    def count(self, locale: str) -> int: ...
