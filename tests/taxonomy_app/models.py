"""The terms of the "audiences" kind, and its declaration: all a new kind needs besides a migration."""

from django.db import models

from manual.models import Taxonomy
from manual.taxonomy_registry import CaseFilter, TaxonomyKind


class Audience(Taxonomy):
    """Whom an initiative addresses."""

    # An app cannot add a field to CaseStudyPage, so the relation is declared on the terms; the case
    # reaches them through the reverse accessor ``case.audiences``, the kind's ``field``.
    cases = models.ManyToManyField("manual.CaseStudyPage", related_name="audiences", blank=True)

    class Meta(Taxonomy.Meta):
        abstract = False
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="%(app_label)s_%(class)s_code_locale"),
        ]


CASE_FILTERS: tuple[CaseFilter, ...] = (
    TaxonomyKind(
        key="audience",
        kind="audiences",
        field="audiences",
        many=True,
        model_label="taxonomy_app.Audience",
        title="Audience",
    ),
)
