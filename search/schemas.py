from ninja import Schema

from core.lists import Listing, selectable


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class _SearchHitOut(Schema):
    id: int
    translation_key: str
    type: str
    title: str
    summary: str
    url: str | None
    locale: str
    fallback: bool
    highlight: dict[str, list[str]]


# A hit with the fields `fields=` selects (core.lists.selectable): the others are left out.
SearchHitOut = selectable(_SearchHitOut, "SearchHitOut")


class SearchOut(Listing):
    results: list[SearchHitOut]  # type: ignore[valid-type]  # built by core.lists.selectable
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
