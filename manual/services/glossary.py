"""The manual's glossary for cross-language search (docs/search.md "Glossary").

Two kinds of concepts, registered with search as one source (``manual.searchable``):

- the translators' concepts (``GlossaryConcept``, seeded with the manual's core vocabulary from
  ``manual/data/glossary.json``), each with labels and synonyms per language;
- every case filter's terms, derived from the taxonomy registry, not copied: a taxonomy term's
  labels in each locale, and a country's name in each locale.

Search reads them again at each glossary change: saving a concept or a term (``manual.signals``)
tells search (``search.services.glossary_changed``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings

from manual.models import GlossaryConcept
from manual.taxonomy_registry import COUNTRY, country_names, taxonomy_kinds
from search.registry import Concept


def concepts() -> Iterator[Concept]:
    """Every concept of the glossary now: the translators' and the case filters' terms."""
    yield from maintained_concepts()
    yield from taxonomy_concepts()
    yield from country_concepts()


def maintained_concepts() -> Iterator[Concept]:
    for concept in GlossaryConcept.objects.prefetch_related("terms"):
        terms: dict[str, list[str]] = defaultdict(list)
        for term in concept.terms.all():
            terms[term.locale].append(term.text)
        yield Concept(terms)


def taxonomy_concepts() -> Iterator[Concept]:
    """A term's labels in every locale (its rows share a ``translation_key``); its code is the facet value."""
    for kind in taxonomy_kinds():
        codes: dict[object, str] = {}
        labels: dict[object, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        rows = kind.model.objects.values_list("translation_key", "code", "locale__language_code", "label")
        for key, code, language, label in rows:
            codes[key] = code
            labels[key][language].append(label)
        for key, terms in labels.items():
            yield Concept(terms, facet=(kind.key, codes[key]))


def country_concepts() -> Iterator[Concept]:
    names = {language: country_names(language) for language in settings.MANUAL_LOCALES}
    for code in names[settings.MANUAL_LOCALES[0]]:
        terms = {language: [by_code[code]] for language, by_code in names.items() if code in by_code}
        yield Concept(terms, facet=(COUNTRY.key, code))
