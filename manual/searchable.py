"""What of the manual the search app indexes and filters by (called from ``ManualConfig.ready()``).

Case studies and sections are searchable; cases carry the facets ``country`` and one per taxonomy
kind (``manual.services.taxonomies.TAXONOMY_KINDS``). The search app derives its facet keys,
engine keyword fields, filter parameters and their validation, facet titles and labels from these
registrations (``search.registry``) and imports nothing of the manual.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override, pgettext_lazy
from django_countries import countries

from manual.models import CaseStudyPage, ManualSectionPage, Taxonomy
from manual.services import search_documents
from manual.services.taxonomies import COUNTRY_CODES, TAXONOMY_KINDS, label_lookup
from search.registry import Facet, SearchableType, label_or_code, registry

# Facet titles of the taxonomy kinds, by filter key (the reader's facet headings).
TAXONOMY_TITLES: dict[str, str | Promise] = {
    "topic": _("Topic"),
    "tool": pgettext_lazy("search facet", "eParticipation tool"),
    "participation_level": _("Participation level"),
    "government_level": _("Government level"),
    "stage": _("Policy-cycle stage"),
}
# The filter parameters' descriptions in the OpenAPI document, by filter key.
TAXONOMY_DESCRIPTIONS = {
    "topic": "Topic code",
    "tool": "eParticipation tool code",
    "participation_level": "Participation level code",
    "government_level": "Government level code",
    "stage": "Policy-cycle stage code",
}


class TermCodes:
    """The codes of one taxonomy a filter may use: its default-locale terms, as the label look-up knows them."""

    def __init__(self, model: type[Taxonomy]) -> None:
        self.model = model

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and label_lookup(None).knows(self.model, code)


def term_labels(model: type[Taxonomy], locale: str) -> Callable[[str], str]:
    return partial(label_lookup(locale).label, model)


@lru_cache(maxsize=32)
def country_names(locale: str) -> dict[str, str]:
    with override(locale):
        return {code: str(name) for code, name in countries}


def register() -> None:
    """Register the manual's searchable types and facets (again: the same keys are replaced)."""
    for name, model, label, build in (
        ("case_study", CaseStudyPage, _("Case study"), search_documents.case_fields),
        ("section", ManualSectionPage, _("Manual section"), search_documents.section_fields),
    ):
        pages = partial(search_documents.indexable, model)
        registry.register_type(SearchableType(name=name, model=model, label=label, pages=pages, build=build))
    registry.register_facet(
        Facet(
            key="country",
            title=_("Country"),
            description="ISO 3166-1 alpha-2; repeat for OR.",
            codes=lambda: COUNTRY_CODES,
            labels=lambda locale: label_or_code(country_names(locale)),
            many=False,
            normalise=str.upper,
        )
    )
    for kind in TAXONOMY_KINDS:
        registry.register_facet(
            Facet(
                key=kind.key,
                title=TAXONOMY_TITLES[kind.key],
                description=f"{TAXONOMY_DESCRIPTIONS[kind.key]}; repeat for OR.",
                codes=partial(TermCodes, kind.model),
                labels=partial(term_labels, kind.model),
                many=kind.many,
            )
        )
