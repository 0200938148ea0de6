"""What of the manual the search app indexes and filters by (called from ``ManualConfig.ready()``).

Case studies and sections are searchable; cases carry one facet per declared case filter (the
country, each taxonomy kind and each case fact that is a category, ``manual.taxonomy_registry``);
a fact's facet has fixed codes (``Facet.choices``). The search app derives its facet keys,
engine keyword fields, filter parameters and their validation, facet titles and labels from these
registrations (``search.registry``) and imports nothing of the manual; ``/api/v1/cases`` takes the
same filter parameters and validator (``manual.api``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.utils.translation import gettext_lazy as _

from manual.models import CaseStudyPage, ManualSectionPage
from manual.services import glossary, search_documents
from manual.taxonomy_registry import CaseFilter, case_filters
from search.registry import Facet, SearchableType, registry


class AcceptedCodes:
    """The codes a filter may use now, as its declaration checks them (``CaseFilter.unknown``)."""

    def __init__(self, case_filter: CaseFilter) -> None:
        self.case_filter = case_filter

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and not self.case_filter.unknown([code])


def filter_labels(case_filter: CaseFilter, locale: str) -> Callable[[str], str]:
    return partial(case_filter.label, language_code=locale)


def register() -> None:
    """Register the manual's searchable types, facets and glossary (again: the same keys are replaced)."""
    registry.register_glossary("manual", glossary.concepts)
    for name, model, label, build in (
        ("case_study", CaseStudyPage, _("Case study"), search_documents.case_fields),
        ("section", ManualSectionPage, _("Manual section"), search_documents.section_fields),
    ):
        pages = partial(search_documents.indexable, model)
        registry.register_type(SearchableType(name=name, model=model, label=label, pages=pages, build=build))
    for item in case_filters():
        registry.register_facet(
            Facet(
                key=item.key,
                title=item.title,
                description=item.parameter_description,
                codes=partial(AcceptedCodes, item),
                labels=partial(filter_labels, item),
                many=item.many,
                normalise=item.normalise,
                choices=item.fixed_codes,
            )
        )
