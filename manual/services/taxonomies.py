"""Taxonomies of the manual: the registry of kinds, their seed terms and label look-ups.

Terms are identified by ``code`` everywhere (filters, facets, index, API). A label is resolved by
code + locale, falling back to the default locale's label when a term is not translated yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django_countries import countries
from wagtail.models import Locale

from manual.models import (
    EParticipationTool,
    GovernmentLevel,
    ParticipationLevel,
    PolicyStage,
    Taxonomy,
    Topic,
)


@dataclass(frozen=True)
class TaxonomyKind:
    """One taxonomy as the API and the filters name it (DESIGN.md "Contracts")."""

    kind: str  # /api/v1/taxonomies/{kind}
    key: str  # filter and facet key
    field: str  # CaseStudyPage field
    model: type[Taxonomy]
    many: bool


TAXONOMY_KINDS: tuple[TaxonomyKind, ...] = (
    TaxonomyKind("topics", "topic", "topics", Topic, True),
    TaxonomyKind("tools", "tool", "tools", EParticipationTool, True),
    TaxonomyKind("participation-levels", "participation_level", "participation_level", ParticipationLevel, False),
    TaxonomyKind("government-levels", "government_level", "government_level", GovernmentLevel, False),
    TaxonomyKind("stages", "stage", "stages", PolicyStage, True),
)
KINDS_BY_NAME = {kind.kind: kind for kind in TAXONOMY_KINDS}
# The country "taxonomy" is ISO 3166-1 alpha-2, as django-countries knows it.
COUNTRY_CODES = frozenset(code for code, _name in countries)
KINDS_BY_KEY = {kind.key: kind for kind in TAXONOMY_KINDS}

# Seed terms: code -> {language: (label, description)}. Order is the display order.
SEED_TERMS: dict[type[Taxonomy], list[tuple[str, dict[str, tuple[str, str]]]]] = {
    Topic: [
        (
            "urban-planning",
            {
                "en": ("Urban planning", "Land use, public space and neighbourhood development."),
                "ru": ("Градостроительство", "Землепользование, общественные пространства и развитие районов."),
            },
        ),
        (
            "budget",
            {
                "en": ("Public budget", "How public money is raised and spent."),
                "ru": ("Государственный бюджет", "Как собираются и расходуются общественные деньги."),
            },
        ),
        (
            "environment",
            {
                "en": ("Environment and climate", "Nature, climate action, energy and waste."),
                "ru": ("Экология и климат", "Природа, климатическая политика, энергия и отходы."),
            },
        ),
        (
            "health",
            {
                "en": ("Health and social care", "Health services, care and well-being."),
                "ru": ("Здравоохранение и социальная помощь", "Медицинские услуги, уход и благополучие."),
            },
        ),
        (
            "education",
            {
                "en": ("Education", "Schools, universities and lifelong learning."),
                "ru": ("Образование", "Школы, университеты и обучение в течение всей жизни."),
            },
        ),
        (
            "mobility",
            {
                "en": ("Mobility and transport", "Public transport, cycling, walking and roads."),
                "ru": ("Мобильность и транспорт", "Общественный транспорт, велосипеды, пешеходы и дороги."),
            },
        ),
        (
            "digital-services",
            {
                "en": ("Digital public services", "Online services of public administrations."),
                "ru": ("Цифровые госуслуги", "Онлайн-услуги органов власти."),
            },
        ),
        (
            "transparency",
            {
                "en": ("Transparency and accountability", "Open government, open data and oversight."),
                "ru": ("Прозрачность и подотчётность", "Открытое правительство, открытые данные и контроль."),
            },
        ),
    ],
    EParticipationTool: [
        ("e-petition", {"en": ("E-petition", ""), "ru": ("Электронная петиция", "")}),
        ("e-consultation", {"en": ("E-consultation", ""), "ru": ("Электронные консультации", "")}),
        ("participatory-budgeting", {"en": ("Participatory budgeting", ""), "ru": ("Инициативное бюджетирование", "")}),
        ("online-deliberation", {"en": ("Online deliberation", ""), "ru": ("Онлайн-обсуждение", "")}),
        ("e-voting", {"en": ("E-voting", ""), "ru": ("Электронное голосование", "")}),
        ("crowdsourcing", {"en": ("Crowdsourcing", ""), "ru": ("Краудсорсинг", "")}),
        ("crowdmapping", {"en": ("Crowd-mapping", ""), "ru": ("Краудмаппинг", "")}),
        ("online-survey", {"en": ("Online survey", ""), "ru": ("Онлайн-опрос", "")}),
        ("social-media", {"en": ("Social media", ""), "ru": ("Социальные сети", "")}),
        ("mobile-app", {"en": ("Mobile app", ""), "ru": ("Мобильное приложение", "")}),
        ("open-data", {"en": ("Open data", ""), "ru": ("Открытые данные", "")}),
        ("chatbot", {"en": ("Chatbot", ""), "ru": ("Чат-бот", "")}),
    ],
    ParticipationLevel: [
        (
            "inform",
            {
                "en": ("Inform", "One-way information from government to citizens."),
                "ru": ("Информирование", "Одностороннее информирование граждан властями."),
            },
        ),
        (
            "consult",
            {
                "en": ("Consult", "Citizens give feedback on options prepared by government."),
                "ru": ("Консультирование", "Граждане высказываются о вариантах, подготовленных властями."),
            },
        ),
        (
            "involve",
            {
                "en": ("Involve", "Citizens' concerns shape the options throughout the process."),
                "ru": ("Вовлечение", "Мнения граждан формируют варианты на протяжении всего процесса."),
            },
        ),
        (
            "collaborate",
            {
                "en": ("Collaborate", "Citizens and government develop solutions together."),
                "ru": ("Сотрудничество", "Граждане и власти вместе вырабатывают решения."),
            },
        ),
        (
            "empower",
            {
                "en": ("Empower", "Citizens take the final decision."),
                "ru": ("Наделение полномочиями", "Окончательное решение принимают граждане."),
            },
        ),
    ],
    GovernmentLevel: [
        ("local", {"en": ("Local", "Municipality or city."), "ru": ("Местный", "Муниципалитет или город.")}),
        (
            "regional",
            {
                "en": ("Regional", "Region, province or federal state."),
                "ru": ("Региональный", "Регион, провинция или субъект федерации."),
            },
        ),
        (
            "national",
            {
                "en": ("National", "A country's government or parliament."),
                "ru": ("Национальный", "Правительство или парламент страны."),
            },
        ),
        (
            "european",
            {
                "en": ("European", "Institutions of the European Union."),
                "ru": ("Европейский", "Институты Европейского союза."),
            },
        ),
    ],
    PolicyStage: [
        ("agenda-setting", {"en": ("Agenda setting", ""), "ru": ("Формирование повестки", "")}),
        ("analysis", {"en": ("Analysis", ""), "ru": ("Анализ", "")}),
        ("formulation", {"en": ("Policy formulation", ""), "ru": ("Разработка политики", "")}),
        ("decision", {"en": ("Decision-making", ""), "ru": ("Принятие решений", "")}),
        ("implementation", {"en": ("Implementation", ""), "ru": ("Реализация", "")}),
        ("monitoring", {"en": ("Monitoring", ""), "ru": ("Мониторинг", "")}),
        ("evaluation", {"en": ("Evaluation", ""), "ru": ("Оценка", "")}),
    ],
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
        for model, terms in SEED_TERMS.items():
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


def default_locale_terms(model: type[Taxonomy]):
    """The canonical terms pages link to: those of the default locale."""
    return model.objects.filter(locale=Locale.get_default()).order_by("sort_order", "code")


def may_edit_terms_directly(user, model: type[Taxonomy]) -> bool:
    """Whether ``user`` may use the plain edit form of ``model``'s terms (codes, any locale's labels).

    Only those who may create terms (Editors). Translators hold the change permission because
    wagtail-localize's translation editor of a snippet needs it, and change a term only there: it
    writes the target locale's row and never the code (docs/roles.md).
    """
    return user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")


class TaxonomyLabels:
    """Labels of every taxonomy term in one language, with the default locale as fallback.

    Built with one query per taxonomy model, whatever the number of pages it serves.
    """

    def __init__(self, language_code: str | None) -> None:
        default_code = settings.MANUAL_LOCALES[0]
        self.language_code = language_code or default_code
        wanted = {self.language_code, default_code}
        self.terms: dict[tuple[type[Taxonomy], str], dict[str, Any]] = {}
        for kind in TAXONOMY_KINDS:
            rows = kind.model.objects.filter(locale__language_code__in=wanted).select_related("locale")
            for row in rows:
                entry = self.terms.setdefault((kind.model, row.code), {"sort_order": row.sort_order})
                entry[row.locale.language_code] = (row.label, row.description)
        self.default_code = default_code

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
# and saving or deleting a term clears its copy at once (manual.signals).
LABEL_CACHE_SECONDS = 60.0
_label_cache: dict[str, tuple[float, TaxonomyLabels]] = {}


def label_lookup(language_code: str | None) -> TaxonomyLabels:
    key = language_code or settings.MANUAL_LOCALES[0]
    cached = _label_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < LABEL_CACHE_SECONDS:
        return cached[1]
    labels = TaxonomyLabels(key)
    _label_cache[key] = (now, labels)
    return labels


def clear_label_cache(**kwargs: Any) -> None:
    _label_cache.clear()


def translation_status(locale_code: str | None) -> dict[str, dict[str, Any]]:
    """Per target locale: the terms with a label in it, and those without (the translators' to-do).

    A term without a row in a locale is shown there with the default locale's label, marked
    ``translated: false`` (``TaxonomyLabels``); this lists the same terms, so a locale added to
    ``MANUAL_LOCALES`` shows its untranslated labels at once. One query per taxonomy.
    """
    from manual.services.queries import target_locales

    default = Locale.get_default()
    targets = target_locales(locale_code)
    status: dict[str, dict[str, Any]] = {
        locale.language_code: {"total": 0, "translated": 0, "percent": 100, "untranslated": []} for locale in targets
    }
    for kind in TAXONOMY_KINDS:
        labelled: dict[str, set[int]] = {}
        sources = []
        rows = kind.model.objects.filter(locale__in=[default, *targets]).order_by("sort_order", "code")
        for code, locale_id, label in rows.values_list("code", "locale_id", "label"):
            labelled.setdefault(code, set()).add(locale_id)
            if locale_id == default.pk:
                sources.append((code, label))
        for locale in targets:
            item = status[locale.language_code]
            for code, label in sources:
                item["total"] += 1
                if locale.pk in labelled[code]:
                    item["translated"] += 1
                else:
                    item["untranslated"].append({"kind": kind.kind, "code": code, "label": label})
    for item in status.values():
        if item["total"]:
            item["percent"] = item["translated"] * 100 // item["total"]
    return status
