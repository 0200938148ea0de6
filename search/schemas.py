from ninja import Schema

from core.lists import Listing


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchHitOut(Schema):
    id: int
    translation_key: str
    type: str
    title: str
    summary: str
    url: str | None
    locale: str
    fallback: bool
    highlight: dict[str, list[str]]


class SearchOut(Listing):
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]
    degraded: bool


class SuggestionOut(Schema):
    id: int
    title: str
    url: str | None
    type: str
    locale: str


class SuggestOut(Listing):
    results: list[SuggestionOut]
    degraded: bool
