"""Taxonomies of the manual: their seed terms, the canonical terms, and the translators' to-do.

The kinds themselves are declared once in ``manual.taxonomy_registry`` (with their label look-up
and validator); the names other modules import from here are re-exported from it. Seed terms are
data: ``manual/data/taxonomy_terms.json``, per kind (``/api/v1/taxonomies/{kind}``) the terms in
display order, each with its label and description per language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale

from manual.models import Taxonomy
from manual.taxonomy_registry import (
    LABEL_CACHE_SECONDS,
    CaseFilter,
    CountryFilter,
    TaxonomyKind,
    TaxonomyLabels,
    UnknownCodes,
    case_filter,
    case_filters,
    clear_label_cache,
    country_codes,
    default_locale_terms,
    label_lookup,
    taxonomy_kinds,
)

__all__ = [
    "COUNTRY_CODES",
    "KINDS_BY_KEY",
    "KINDS_BY_NAME",
    "LABEL_CACHE_SECONDS",
    "SEED_TERMS_FILE",
    "TAXONOMY_KINDS",
    "CaseFilter",
    "CountryFilter",
    "TaxonomyKind",
    "TaxonomyLabels",
    "UnknownCodes",
    "case_filter",
    "case_filters",
    "clear_label_cache",
    "default_locale_terms",
    "label_lookup",
    "may_edit_terms_directly",
    "seed_taxonomies",
    "seed_terms",
    "taxonomy_kinds",
]

# Read from the registry once the apps are loaded; ``case_filters()`` is the one list (the facets
# of search, the API's filters), these are the names earlier callers import.
TAXONOMY_KINDS: tuple[TaxonomyKind, ...] = taxonomy_kinds()
KINDS_BY_NAME = {kind.kind: kind for kind in TAXONOMY_KINDS}
KINDS_BY_KEY = {kind.key: kind for kind in TAXONOMY_KINDS}
COUNTRY_CODES = country_codes()

SEED_TERMS_FILE = Path(__file__).resolve().parent.parent / "data" / "taxonomy_terms.json"
# A seed term: its code, and per language code its (label, description).
SeedTerm = tuple[str, dict[str, tuple[str, str]]]


@cache
def seed_terms() -> dict[type[Taxonomy], list[SeedTerm]]:
    """The seed terms per taxonomy model, in display order (``SEED_TERMS_FILE``)."""
    data = json.loads(SEED_TERMS_FILE.read_text(encoding="utf-8"))
    kinds = {kind.kind: kind for kind in taxonomy_kinds()}
    return {
        kinds[name].model: [
            (
                term["code"],
                {language: (text["label"], text.get("description", "")) for language, text in term["labels"].items()},
            )
            for term in terms
        ]
        for name, terms in data.items()
    }


def seed_taxonomies() -> int:
    """Create the seed terms that are missing, in every configured locale that has seed labels.

    Existing rows are never changed, so labels edited by editors or translators survive. Returns
    the number of rows created.
    """
    created = 0
    default = Locale.get_default()
    locales = {
        locale.language_code: locale for locale in Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES)
    }
    with transaction.atomic():
        for model, terms in seed_terms().items():
            existing = {(row.code, row.locale_id): row for row in model.objects.all()}
            for order, (code, labels) in enumerate(terms):
                source = existing.get((code, default.pk))
                if source is None:
                    label, description = labels.get(default.language_code, labels["en"])
                    source = model.objects.create(
                        code=code, label=label, description=description, sort_order=order, locale=default
                    )
                    created += 1
                for language_code, (label, description) in labels.items():
                    locale = locales.get(language_code)
                    if locale is None or locale.pk == default.pk or (code, locale.pk) in existing:
                        continue
                    model.objects.create(
                        code=code,
                        label=label,
                        description=description,
                        sort_order=order,
                        locale=locale,
                        translation_key=source.translation_key,
                    )
                    created += 1
    if created:
        clear_label_cache()
    return created


def may_edit_terms_directly(user, model: type[Taxonomy]) -> bool:
    """Whether ``user`` may use the plain edit form of ``model``'s terms (codes, any locale's labels).

    Only those who may create terms (Editors). Translators hold the change permission because
    wagtail-localize's translation editor of a snippet needs it, and change a term only there: it
    writes the target locale's row and never the code (docs/roles.md).
    """
    return user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
