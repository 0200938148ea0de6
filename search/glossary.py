"""Cross-language expansion of a query through the glossary (docs/search.md "Glossary").

The content apps register sources of concepts (``search.registry.GlossarySource``): each concept
has labels and synonyms per locale ("participatory budgeting" / "партисипаторное бюджетирование" /
"инициативное бюджетирование"). A query with ``fallback=1`` is matched against the concepts' terms
of its own locale, word by word as the drivers match words (stemmed in the locale's language,
accents folded: ``search.languages``), longest phrase first. Each concept found becomes a group of
alternatives, its terms in the fallback locale, which the drivers analyse in that locale's
language; a document of the fallback locale must match one alternative of every group, or hold
the facet value the concept is (a taxonomy term, a country). The words no concept covers are kept
as ``rest``: the engine ranks with them, neither driver requires them (a Russian word cannot
appear in an English case).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from search.languages import fold, folded_stems, stem, words
from search.registry import Concept

# Alternatives of one concept in one locale, at most: bounds the size of a query.
MAX_ALTERNATIVES = 12


@dataclass(frozen=True)
class Group:
    """One concept of the query in another locale: a document matches it by one of ``terms`` or by
    holding one of the facet values ``facets`` (key, code)."""

    terms: tuple[str, ...]
    facets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Expansion:
    """A query's meaning in another locale: every group must match, the words of ``rest`` may."""

    locale: str
    groups: tuple[Group, ...]
    rest: str = ""

    def terms(self) -> list[str]:
        """Every alternative of every group."""
        return [term for group in self.groups for term in group.terms]


class Glossary:
    """Concepts indexed by the folded stems of their terms, per locale.

    Concepts that share a term (the same words in the same locale, accents and case aside) are one
    concept: a translators' concept naming a taxonomy term's label gives that term its synonyms.
    """

    def __init__(self, concepts: Iterable[Concept], facet_keys: Iterable[str] = ()) -> None:
        """``facet_keys``: the facets a concept's value may be of (others are ignored)."""
        keys = frozenset(facet_keys)
        self.concepts: list[dict[str, tuple[str, ...]]] = []
        self.facets: list[tuple[str, str] | None] = []
        self.phrases: dict[str, dict[tuple[str, ...], set[int]]] = defaultdict(lambda: defaultdict(set))
        named: dict[tuple[str, str], set[int]] = defaultdict(set)  # (locale, words) -> concepts
        for number, concept in enumerate(concepts):
            terms = {
                locale: tuple(dict.fromkeys(" ".join(text.split()) for text in texts if words(text)))
                for locale, texts in concept.terms.items()
            }
            self.concepts.append({locale: texts for locale, texts in terms.items() if texts})
            self.facets.append(concept.facet if concept.facet and concept.facet[0] in keys else None)
            for locale, texts in self.concepts[number].items():
                for text in texts:
                    self.phrases[locale][tuple(folded_stems(text, locale))].add(number)
                    named[locale, " ".join(map(fold, words(text)))].add(number)
        self.same: dict[int, set[int]] = defaultdict(set)
        for numbers in named.values():
            for number in numbers:
                self.same[number] |= numbers
        self.longest = {locale: max(map(len, phrases)) for locale, phrases in self.phrases.items()}

    def __len__(self) -> int:
        return len(self.concepts)

    def _group(self, found: set[int], target: str) -> Group | None:
        found = found.union(*(self.same[number] for number in found))
        terms = (term for number in sorted(found) for term in self.concepts[number].get(target, ()))
        facets = (self.facets[number] for number in sorted(found))
        group = Group(
            terms=tuple(dict.fromkeys(terms))[:MAX_ALTERNATIVES],
            facets=tuple(dict.fromkeys(facet for facet in facets if facet is not None)),
        )
        return group if group.terms or group.facets else None

    def expand(self, q: str, locale: str, target: str) -> Expansion | None:
        """``q`` (in ``locale``) in ``target``'s terms; None when no concept of ``q`` has any there."""
        typed = words(q)
        keys = [fold(stem(word, locale)) for word in typed]
        phrases = self.phrases.get(locale, {})
        longest = self.longest.get(locale, 0)
        groups: list[Group] = []
        rest: list[str] = []
        start = 0
        while start < len(keys):
            for end in range(min(len(keys), start + longest), start, -1):
                found = phrases.get(tuple(keys[start:end]))
                group = self._group(found, target) if found else None
                if group is not None:
                    groups.append(group)
                    start = end
                    break
            else:
                rest.append(typed[start])
                start += 1
        if not groups:
            return None
        return Expansion(locale=target, groups=tuple(dict.fromkeys(groups)), rest=" ".join(rest))
