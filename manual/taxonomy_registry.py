"""The case filters, each declared once: the country and every taxonomy kind.

A declaration states what the rest of the service needs to know about one way of classifying a
case: its filter and facet key (``?topic=``), its path under ``/api/v1/taxonomies/{kind}``, the
case field that holds it (also the submission document's field), whether a case has one or many,
its facet title and, for a taxonomy, its term model and its headings in the submission form and
among a case's facts. Its methods are the one label look-up and the one test of a code
(``unknown``) that every caller shares, and the database restriction of the case list
(``restrict``). Everything else is derived from the registry: the search facets
(``manual.searchable``), hence the filters of ``/api/v1/cases`` and ``/api/v1/search``, their one
validator and their OpenAPI schema (``search.filters``); a case's terms in the API
(``manual.schemas.CaseSummary``) and on its page (``manual.services.reader``); the submission
document and form (``submissions``, checked by ``check`` in the filters' words) and the import
format's JSON Schema generated from that document, the review roles, the label cache, the admin
menu, the translation lists and the demo content.

Apps declare their filters on their ``AppConfig`` as ``case_filters``, a dotted path to a sequence
of declarations (the manual's own are ``MANUAL_CASE_FILTERS`` below), so a kind is one declaration
beside its model; docs/architecture.md "Adding a taxonomy kind" walks through it. The models are
named by label ("manual.Topic") and resolved when used: this module is imported by
``manual.forms``, which ``manual.models`` imports.

Terms are identified by ``code`` everywhere (filters, facets, index, API). A label is resolved by
code + locale, falling back to the default locale's label when a term is not translated yet.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_countries import countries
from wagtail.models import Locale

from core.shared_cache import bump
from manual.case_facts import CASE_FACTS, CHOICE, CaseFact
from search.filters import unknown_code_message

if TYPE_CHECKING:
    from manual.models import Taxonomy


class UnknownCodes(ValueError):
    """Codes a filter does not know, with the one message of ``unknown_code`` (``refusal``)."""

    def __init__(self, case_filter: CaseFilter, codes: Sequence[str]) -> None:
        self.case_filter = case_filter
        self.codes = tuple(codes)
        self.message = case_filter.refusal(self.codes)
        super().__init__(self.message)


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    """One way to filter and facet the case list (DESIGN.md "Contracts"): OR inside, AND across."""

    key: str  # filter and facet key: ?topic=...
    kind: str  # /api/v1/taxonomies/{kind}
    field: str  # CaseStudyPage field, and the submission document's
    many: bool  # a case has several (a list in the submission) or one
    title: str | Promise  # the facet's title, translated when shown

    @property
    def parameter_description(self) -> str:
        """The API parameter's description (the API documents itself in English)."""
        with translation.override(None):
            return f"{self.title} code; repeat for OR."

    def normalise(self, code: str) -> str:
        return code

    def check(self, codes: Iterable[str]) -> tuple[str, ...]:
        """The codes as stored, or ``UnknownCodes`` naming those this filter does not know."""
        codes = tuple(codes)
        unknown = self.unknown(codes)
        if unknown:
            raise UnknownCodes(self, unknown)
        return tuple(self.normalise(code) for code in codes)

    def unknown(self, codes: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def refusal(self, unknown: Sequence[str]) -> str:
        """The message of ``unknown_code``: search's one message for it (``search.filters``), which
        the case list and search answer too, so a submission is refused in the same words."""
        return unknown_code_message(self.key, [self.normalise(code) for code in unknown])

    def accepted_codes(self) -> list[str]:
        """Every code ``check`` accepts now, in display order (the OpenAPI document's enum)."""
        raise NotImplementedError

    def restrict(self, cases: QuerySet, codes: Sequence[str]) -> QuerySet:
        """``cases`` with at least one of ``codes`` (checked codes)."""
        raise NotImplementedError

    def codes_of(self, case: Any) -> list[str]:
        """The codes a case has (its facet values)."""
        raise NotImplementedError

    def label(self, code: str, language_code: str | None) -> str:
        raise NotImplementedError

    @property
    def fixed_codes(self) -> tuple[str, ...]:
        """Its codes when they are fixed in code (the search facet's ``choices``); empty when editors add them."""
        return ()

    @property
    def code_schema(self) -> str:
        """The name of its codes' enum in the OpenAPI document (``core.openapi.CodeSet``): ``TopicCode``."""
        return "".join(part.capitalize() for part in self.key.split("_")) + "Code"


@cache
def country_names(language_code: str) -> dict[str, str]:
    """Code -> name in one language, built once: search labels every country facet value with it."""
    with translation.override(language_code):
        return {code: str(name) for code, name in countries}


@cache
def country_codes() -> frozenset[str]:
    # The country "taxonomy" is ISO 3166-1 alpha-2, as django-countries knows it.
    return frozenset(code for code, _name in countries)


@dataclass(frozen=True, kw_only=True)
class CountryFilter(CaseFilter):
    """ISO 3166-1 alpha-2 codes (django-countries): a filter, but no term model."""

    @property
    def parameter_description(self) -> str:
        return "ISO 3166-1 alpha-2 code; repeat for OR."

    def normalise(self, code: str) -> str:
        return code.upper()

    def unknown(self, codes: Sequence[str]) -> list[str]:
        return [code for code in codes if code.upper() not in country_codes()]

    def accepted_codes(self) -> list[str]:
        return sorted(country_codes())

    def restrict(self, cases: QuerySet, codes: Sequence[str]) -> QuerySet:
        return cases.filter(**{f"{self.field}__in": [self.normalise(code) for code in codes]})

    def codes_of(self, case: Any) -> list[str]:
        country = getattr(case, self.field)
        return [country.code] if country else []

    def label(self, code: str, language_code: str | None) -> str:
        return country_names(language_code or settings.MANUAL_LOCALES[0]).get(code.upper(), code)


@dataclass(frozen=True, kw_only=True)
class TaxonomyKind(CaseFilter):
    """A taxonomy: translatable terms (a ``manual.models.Taxonomy`` model) linked from the case."""

    model_label: str  # "app_label.ModelName" of the terms' model
    form_label: str | Promise | None = None  # the submission form's label; the title when None
    # The heading of its terms among a case's facts on the reader's case page; the title when None.
    fact_heading: str | Promise | None = None
    # Where forms list it among the kinds (the filters keep the declaration order); ties keep that.
    display_order: int = 100
    icon: str = "tag"  # of its menu item in the admin

    @cached_property
    def model(self) -> type[Taxonomy]:
        # Kept once found: a list of 50 cards asked for it about 800 times (docs/performance.md),
        # and a model class does not change once the app registry is ready.
        return apps.get_model(self.model_label)

    @property
    def app_label(self) -> str:
        return self.model_label.partition(".")[0]

    @property
    def model_name(self) -> str:
        """As Django spells it in permission codenames (``change_topic``)."""
        return self.model_label.partition(".")[2].lower()

    @property
    def label_in_form(self) -> str | Promise:
        return self.form_label or self.title

    @property
    def heading_in_facts(self) -> str | Promise:
        return self.fact_heading or self.title

    def permission(self, action: str) -> str:
        """``app_label.action_model`` of a Django model permission on the terms."""
        return f"{self.app_label}.{action}_{self.model_name}"

    def default_terms(self) -> QuerySet:
        return default_locale_terms(self.model)

    def unknown(self, codes: Sequence[str]) -> list[str]:
        labels = label_lookup(None)
        return sorted(code for code in set(codes) if not labels.knows(self.model, code))

    def accepted_codes(self) -> list[str]:
        return list(dict.fromkeys(self.default_terms().values_list("code", flat=True)))

    def restrict(self, cases: QuerySet, codes: Sequence[str]) -> QuerySet:
        if not self.many:
            return cases.filter(**{f"{self.field}__code__in": codes})
        # A subquery keeps one row per page, so pagination and counts stay exact.
        matching = self.model.objects.filter(code__in=codes).values("pk")
        return cases.filter(**{f"{self.field}__in": matching}).distinct()

    def terms_of(self, case: Any) -> list[Any]:
        """The term rows a case links (default-locale rows)."""
        value = getattr(case, self.field)
        if self.many:
            return list(value.all())
        return [value] if value is not None else []

    def codes_of(self, case: Any) -> list[str]:
        return [term.code for term in self.terms_of(case)]

    def label(self, code: str, language_code: str | None) -> str:
        return label_lookup(language_code).label(self.model, code)


@dataclass(frozen=True, kw_only=True)
class FactFilter(CaseFilter):
    """A case fact that is a category (``manual.case_facts``, kind ``CHOICE``): its codes are fixed in
    code, held in a field of the case page, one per case.

    Made from the fact's declaration (``fact_filter``): its key and field are the fact's name, its
    title the fact's label, its codes and labels the fact's choices. It has no term model, so no
    ``/api/v1/taxonomies/{kind}`` route (``is_taxonomy_route``); the dumps write the facts as facts
    (``opendata.services.records``), not as classifications.
    """

    fact: CaseFact

    @property
    def parameter_description(self) -> str:
        codes = ", ".join(f"`{code}`" for code in self.fact.codes())
        with translation.override(None):
            return f"{self.title}: {codes}; repeat for OR."

    def unknown(self, codes: Sequence[str]) -> list[str]:
        known = self.fact.codes()
        return sorted(code for code in set(codes) if code not in known)

    def accepted_codes(self) -> list[str]:
        return self.fact.codes()

    @property
    def fixed_codes(self) -> tuple[str, ...]:
        return tuple(self.fact.codes())

    def restrict(self, cases: QuerySet, codes: Sequence[str]) -> QuerySet:
        return cases.filter(**{f"{self.field}__in": codes})

    def codes_of(self, case: Any) -> list[str]:
        code = getattr(case, self.field)
        return [code] if code else []

    def label(self, code: str, language_code: str | None) -> str:
        return self.fact.label_of(code, language_code or settings.MANUAL_LOCALES[0]) or code

    @property
    def code_schema(self) -> str:
        # The choices' own name, as the submission document's JSON Schema names them: the query
        # parameter and the body's field share one enum (organiser and funder: ``OrganisationType``).
        assert self.fact.choices is not None
        return self.fact.choices.__name__


def fact_filter(fact: CaseFact) -> FactFilter:
    """The filter and facet of a fact that is a category (``?participation_mode=online``)."""
    return FactFilter(
        key=fact.name, kind=fact.name.replace("_", "-"), field=fact.name, many=False, title=fact.label, fact=fact
    )


def is_taxonomy_route(item: CaseFilter) -> bool:
    """Whether ``/api/v1/taxonomies/{kind}`` lists its codes: the country and the taxonomies."""
    return not isinstance(item, FactFilter)


def default_locale_terms(model: type[Taxonomy]) -> QuerySet:
    """The canonical terms pages link to: those of the default locale."""
    return model.objects.filter(locale=Locale.get_default()).order_by("sort_order", "code")


# The manual's own filters, in the order of the API's parameters and of the search facets.
COUNTRY = CountryFilter(key="country", kind="countries", field="country", many=False, title=gettext_lazy("Country"))
MANUAL_CASE_FILTERS: tuple[CaseFilter, ...] = (
    COUNTRY,
    TaxonomyKind(
        key="topic",
        kind="topics",
        field="topics",
        many=True,
        model_label="manual.Topic",
        title=gettext_lazy("Topic"),
        form_label=gettext_lazy("Topics"),
        fact_heading=gettext_lazy("Topics"),
        display_order=4,
        icon="tag",
    ),
    TaxonomyKind(
        key="tool",
        kind="tools",
        field="tools",
        many=True,
        model_label="manual.EParticipationTool",
        title=pgettext_lazy("search facet", "eParticipation tool"),
        form_label=gettext_lazy("eParticipation tools"),
        fact_heading=pgettext_lazy("case facts", "eParticipation tools"),
        display_order=5,
        icon="cogs",
    ),
    TaxonomyKind(
        key="participation_level",
        kind="participation-levels",
        field="participation_level",
        many=False,
        model_label="manual.ParticipationLevel",
        title=gettext_lazy("Participation level"),
        form_label=gettext_lazy("Level of participation"),
        display_order=2,
        icon="group",
    ),
    TaxonomyKind(
        key="government_level",
        kind="government-levels",
        field="government_level",
        many=False,
        model_label="manual.GovernmentLevel",
        title=gettext_lazy("Government level"),
        form_label=gettext_lazy("Level of government"),
        display_order=1,
        icon="site",
    ),
    TaxonomyKind(
        key="stage",
        kind="stages",
        field="stages",
        many=True,
        model_label="manual.PolicyStage",
        title=gettext_lazy("Policy-cycle stage"),
        form_label=gettext_lazy("Policy stages"),
        fact_heading=gettext_lazy("Policy-cycle stages"),
        display_order=3,
        icon="list-ol",
    ),
    # The facts that are categories, after the classifications (manual.case_facts).
    *(fact_filter(fact) for fact in CASE_FACTS if fact.kind == CHOICE),
)


# --- The registry --------------------------------------------------------------------------------


@cache
def case_filters() -> tuple[CaseFilter, ...]:
    """Every declared filter: the apps' ``AppConfig.case_filters``, in INSTALLED_APPS order."""
    declared: list[CaseFilter] = []
    for config in apps.get_app_configs():
        path = getattr(config, "case_filters", None)
        if path:
            declared.extend(import_string(path))
    for attribute in ("key", "kind", "field"):
        values = [getattr(item, attribute) for item in declared]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ImproperlyConfigured(f"Case filters declared twice ({attribute}): {', '.join(repeated)}")
    return tuple(declared)


def taxonomy_kinds() -> tuple[TaxonomyKind, ...]:
    """The declared filters that are taxonomies (every one but the country)."""
    return tuple(item for item in case_filters() if isinstance(item, TaxonomyKind))


def case_filter(key: str) -> CaseFilter:
    """The filter of ``key`` (``KeyError`` for any other)."""
    return {item.key: item for item in case_filters()}[key]


def in_display_order(kinds: Iterable[TaxonomyKind]) -> list[TaxonomyKind]:
    """Kinds in the order forms show them: by ``display_order``, then as declared."""
    return sorted(kinds, key=lambda kind: kind.display_order)


# --- Labels --------------------------------------------------------------------------------------


class TaxonomyLabels:
    """Labels of every taxonomy term in one language, with the default locale as fallback.

    Built with one query per taxonomy model, whatever the number of pages it serves.
    """

    def __init__(self, language_code: str | None) -> None:
        default_code = settings.MANUAL_LOCALES[0]
        self.language_code = language_code or default_code
        wanted = {self.language_code, default_code}
        self.terms: dict[tuple[type[Taxonomy], str], dict[str, Any]] = {}
        self.codes: dict[tuple[type[Taxonomy], int], str] = {}  # a row's id -> its code
        for kind in taxonomy_kinds():
            rows = kind.model.objects.filter(locale__language_code__in=wanted).select_related("locale")
            for row in rows:
                entry = self.terms.setdefault((kind.model, row.code), {"sort_order": row.sort_order})
                entry[row.locale.language_code] = (row.label, row.description)
                self.codes[(kind.model, row.pk)] = row.code
        self.default_code = default_code

    def code_of(self, model: type[Taxonomy], term_id: int) -> str | None:
        """The code of the term row ``term_id`` (of the default locale or this language), None when
        it was not there when the labels were read."""
        return self.codes.get((model, term_id))

    def sort_order(self, model: type[Taxonomy], code: str) -> int:
        """Where the term stands in its taxonomy's list (with its code, ``Taxonomy.Meta.ordering``);
        a term newer than the labels comes last."""
        entry = self.terms.get((model, code))
        return entry["sort_order"] if entry is not None else 1 << 16

    def _lookup(self, model: type[Taxonomy], code: str) -> tuple[str, str] | None:
        entry = self.terms.get((model, code))
        if entry is None:
            return None
        return entry.get(self.language_code) or entry.get(self.default_code)

    def knows(self, model: type[Taxonomy], code: str) -> bool:
        return (model, code) in self.terms

    def label(self, model: type[Taxonomy], code: str, default: str = "") -> str:
        found = self._lookup(model, code)
        return found[0] if found else (default or code)

    def term(self, model: type[Taxonomy], code: str) -> dict[str, Any]:
        """The API shape of a term: its code, its label and whether the label is translated."""
        entry = self.terms.get((model, code), {})
        translated = self.language_code in entry
        label, _description = self._lookup(model, code) or (code, "")
        return {"code": code, "label": label, "translated": translated}

    def terms_of(self, model: type[Taxonomy]) -> list[dict[str, Any]]:
        """Every term of a taxonomy in display order, with label and description in this language."""
        items = []
        for (term_model, code), entry in self.terms.items():
            if term_model is not model:
                continue
            label, description = self._lookup(model, code) or (code, "")
            items.append(
                {
                    "code": code,
                    "label": label,
                    "description": description,
                    "translated": self.language_code in entry,
                    "sort_order": entry["sort_order"],
                }
            )
        items.sort(key=lambda item: (item["sort_order"], item["code"]))
        for item in items:
            del item["sort_order"]
        return items


# Labels change rarely and are read on every list and search: each process keeps them for a minute,
# and saving or deleting a term clears its copy at once (manual.signals). The other processes see
# the change at their next lookup through the labels' version, bumped once the change is committed
# (docs/operations.md "Shared caches"): with REDIS_URL a counter in the shared Redis ("labels"
# cache), which every app server reads (one GET per lookup); otherwise the time of a file in
# VAR_DIR, which reaches the processes of this host only (gunicorn's workers, the task worker; one
# stat() per lookup, no query). A page purged from the HTTP cache on a label change is rendered
# again with the new label (docs/operations.md "HTTP cache"). Whatever the version says, no copy is
# older than LABEL_CACHE_SECONDS: the bound when the version cannot be read or bumped (Redis down,
# a read-only VAR_DIR).
LABEL_CACHE_SECONDS = 60.0
LABELS_CHANGED_FILE = "labels.changed"
LABELS_CACHE_ALIAS = "labels"
LABELS_VERSION_KEY = "version"
_UNKNOWN = object()
_label_cache: dict[str, tuple[float, object, TaxonomyLabels]] = {}


def _shared_version() -> bool:
    return LABELS_CACHE_ALIAS in settings.CACHES


def _labels_changed_at() -> object:
    """The labels' version; ``_UNKNOWN`` when Redis is down or has none (none bumped since it started)."""
    if _shared_version():
        return caches[LABELS_CACHE_ALIAS].get(LABELS_VERSION_KEY, _UNKNOWN)
    try:
        return os.stat(Path(settings.VAR_DIR) / LABELS_CHANGED_FILE).st_mtime_ns
    except OSError:
        return 0


def _mark_labels_changed() -> None:
    if _shared_version():
        # A forgiving cache (core.shared_cache): with Redis down the others keep their copy for
        # LABEL_CACHE_SECONDS.
        bump(caches[LABELS_CACHE_ALIAS], LABELS_VERSION_KEY)
        return
    path = Path(settings.VAR_DIR) / LABELS_CHANGED_FILE
    try:
        path.touch()
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    except OSError:
        pass  # a read-only VAR_DIR: the other processes keep their copy for LABEL_CACHE_SECONDS


def label_lookup(language_code: str | None) -> TaxonomyLabels:
    key = language_code or settings.MANUAL_LOCALES[0]
    cached = _label_cache.get(key)
    now = time.monotonic()
    changed_at = _labels_changed_at()
    current = changed_at is _UNKNOWN or cached is not None and cached[1] == changed_at
    if cached is not None and now - cached[0] < LABEL_CACHE_SECONDS and current:
        return cached[2]
    labels = TaxonomyLabels(key)
    _label_cache[key] = (now, changed_at, labels)
    return labels


def clear_label_cache(**kwargs: Any) -> None:
    _label_cache.clear()


def labels_changed(**kwargs: Any) -> None:
    """A term was saved or deleted: this process's copy goes now, the others' once it is committed."""
    clear_label_cache()
    transaction.on_commit(_mark_labels_changed)
