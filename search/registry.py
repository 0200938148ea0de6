"""What the search app indexes and filters by, as the content apps declare it.

The search app knows no content app. Like Wagtail's search backends index whatever models declare
``search_fields``, a content app registers here, from its ``AppConfig.ready()``:

- its searchable page types (``SearchableType``): the document ``type`` name, the indexable pages
  of that type and the builder of their documents;
- its facets (``Facet``): the key (filter parameter, document field, engine keyword field), the
  title shown to readers, how a code gets its label in a locale, the codes a filter may use;
- its glossary sources (``GlossarySource``): concepts with their labels and synonyms per locale,
  through which ``search.glossary`` expands a query into other languages.

Everything in the search app that depends on them is derived from this registry: the facet keys
of the drivers, the engine mapping's keyword fields (``search.mapping``), the filter parameters of
``/api/v1/search`` and their validator (``search.filters``), the facet titles and labels of answers
and the documents' common fields (``search.documents``). The ``type`` facet is the search app's
own: its codes are the registered type names.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from wagtail.models import Page

# Builds the documents of pages of one type: given page ids, for those that are indexable pages of
# that type, the page (its locale loaded) and its document's own fields (``summary``, ``body``,
# facet codes, ``start_year``...); ``search.documents`` adds the fields every document has.
DocumentBuilder = Callable[[list[int]], list[tuple[Page, dict[str, Any]]]]
# A locale code -> the function that gives a code's label in that locale.
FacetLabels = Callable[[str], Callable[[str], str]]
# Gives a content app's concepts as they are now (read at each glossary change, not at registration).
GlossarySource = Callable[[], Iterable["Concept"]]


@dataclass(frozen=True)
class Concept:
    """A concept of the glossary (``search.glossary``): per locale code, its labels and synonyms."""

    terms: Mapping[str, Sequence[str]]
    # The facet value (key, code) the concept is, if any (a taxonomy term, a country): documents
    # holding it match the concept in any language, whatever their words.
    facet: tuple[str, str] | None = None


# Identity, not value, equality: declarations hold functions and lazily translated labels.
@dataclass(frozen=True, eq=False)
class SearchableType:
    """A page type whose pages are search documents."""

    name: str  # the documents' ``type`` and its facet code, e.g. "case_study"
    model: type[Page]
    label: str | Promise  # what readers call it, translated when shown
    pages: Callable[[], QuerySet]  # the indexable pages of this type, as a queryset of ``Page``
    build: DocumentBuilder


TYPE = "type"  # the facet of the documents' type, and the document field naming it


def _same(code: str) -> str:
    return code


@dataclass(frozen=True, eq=False)
class Facet:
    """A facet of the documents: a document field of codes, a filter parameter and a reader's facet."""

    key: str
    title: str | Promise  # the facet's heading for readers, translated when shown
    description: str  # the filter parameter's description in the OpenAPI document
    codes: Callable[[], Container[str]]  # the codes a filter may use now
    labels: FacetLabels
    many: bool = True  # whether a document may hold several codes (a single-valued one: at most one)
    normalise: Callable[[str], str] = _same  # applied to a filter's values before validation
    # A fixed set of codes, stated as the filter's enum in the OpenAPI document (codes that live in
    # the database are stated when the document is served, core/openapi.py).
    choices: tuple[str, ...] = ()


class Registry:
    """Searchable types and facets, in registration order; a key registered again is replaced."""

    def __init__(self) -> None:
        self._types: dict[str, SearchableType] = {}
        self._facets: dict[str, Facet] = {}
        self._glossaries: dict[str, GlossarySource] = {}

    def register_type(self, searchable: SearchableType) -> None:
        self._types[searchable.name] = searchable

    def register_facet(self, facet: Facet) -> None:
        if facet.key == TYPE:
            raise ImproperlyConfigured(f"the {TYPE!r} facet is the search app's own (the registered type names)")
        self._facets[facet.key] = facet

    def register_glossary(self, name: str, source: GlossarySource) -> None:
        self._glossaries[name] = source

    def glossary_sources(self) -> tuple[GlossarySource, ...]:
        _check_ready()
        return tuple(self._glossaries.values())

    def types(self) -> tuple[SearchableType, ...]:
        _check_ready()
        return tuple(self._types.values())

    def facets(self) -> tuple[Facet, ...]:
        """Every facet: ``type`` first, then the registered ones."""
        types = self.types()
        return (_type_facet(types), *self._facets.values())


registry = Registry()


def _check_ready() -> None:
    # Registrations happen in AppConfig.ready(): reading before every app is ready would see a
    # partial registry, so that is an error rather than a silently shorter list.
    if not apps.ready:
        raise AppRegistryNotReady("the search registry is read before every app's ready() has run")


def searchable_types() -> tuple[SearchableType, ...]:
    return registry.types()


def facets() -> tuple[Facet, ...]:
    return registry.facets()


def glossary_concepts() -> list[Concept]:
    """Every registered source's concepts, read now."""
    return [concept for source in registry.glossary_sources() for concept in source()]


def facet_keys() -> tuple[str, ...]:
    return tuple(facet.key for facet in facets())


def _either(names: tuple[str, ...]) -> str:
    quoted = [f"`{name}`" for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


@lru_cache(maxsize=8)
def _type_facet(types: tuple[SearchableType, ...]) -> Facet:
    names = tuple(searchable.name for searchable in types)
    return Facet(
        key=TYPE,
        title=_("Type"),
        description=f"{_either(names)}; repeat for OR.",
        codes=lambda: names,
        labels=lambda locale: label_or_code(_type_labels(locale, types)),
        many=False,
        choices=names,
    )


def label_or_code(labels: dict[str, str]) -> Callable[[str], str]:
    """A code's label from ``labels``; the code itself when it has none (a facet's ``labels``)."""
    return lambda code: labels.get(code, code)


@lru_cache(maxsize=32)
def _type_labels(locale: str, types: tuple[SearchableType, ...]) -> dict[str, str]:
    with override(locale):
        return {searchable.name: str(searchable.label) for searchable in types}
