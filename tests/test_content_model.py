"""The content model: tree rules, required fields, taxonomies and their labels across locales."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from manual.models import (
    CaseStudyIndexPage,
    CaseStudyPage,
    GovernmentLevel,
    ManualHomePage,
    ManualSectionPage,
    ParticipationLevel,
    Topic,
)
from manual.services.taxonomies import TAXONOMY_KINDS, label_lookup, seed_taxonomies, seed_terms

pytestmark = pytest.mark.django_db


def test_tree_rules_keep_the_manual_well_formed(en):
    home = ManualHomePage.objects.get(locale=en)
    section = ManualSectionPage.objects.filter(locale=en).first()
    index = CaseStudyIndexPage.objects.get(locale=en)
    case = CaseStudyPage.objects.filter(locale=en).first()
    assert ManualHomePage.can_create_at(Page.get_first_root_node())
    assert ManualSectionPage.can_create_at(home) and ManualSectionPage.can_create_at(section)
    assert not ManualSectionPage.can_create_at(index)
    assert CaseStudyPage.can_create_at(index)
    assert not CaseStudyPage.can_create_at(home) and not CaseStudyPage.can_create_at(section)
    assert not CaseStudyIndexPage.can_create_at(home), "only one case index per home"
    assert not any(model.can_create_at(case) for model in (ManualSectionPage, CaseStudyPage, CaseStudyIndexPage))


def test_a_case_needs_its_structured_fields(en):
    case = CaseStudyPage(title="Incomplete", slug="incomplete", locale=en)
    with pytest.raises(ValidationError) as caught:
        case.full_clean()
    missing = set(caught.value.message_dict)
    assert {"summary", "organisation", "country", "start_year", "initiative_status", "context", "results"} <= missing
    assert {"government_level", "participation_level"} <= missing


def test_case_rules_on_years_status_and_coordinates(en):
    case = CaseStudyPage.objects.filter(locale=en).first()
    case.start_year, case.end_year = 2020, 2018
    with pytest.raises(ValidationError, match="end year cannot be before"):
        case.full_clean()
    case.end_year, case.initiative_status = None, "completed"
    with pytest.raises(ValidationError, match="completed initiative needs an end year"):
        case.full_clean()
    case.initiative_status, case.longitude = "ongoing", None
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        case.full_clean()
    case.start_year = 1850
    with pytest.raises(ValidationError) as caught:
        case.full_clean()
    assert "start_year" in caught.value.message_dict


def test_seed_codes_are_those_of_the_contracts():
    codes = {kind.kind: set(kind.model.objects.values_list("code", flat=True)) for kind in TAXONOMY_KINDS}
    assert codes["participation-levels"] == {"inform", "consult", "involve", "collaborate", "empower"}
    assert codes["government-levels"] == {"local", "regional", "national", "european"}
    assert codes["stages"] == {
        "agenda-setting",
        "analysis",
        "formulation",
        "decision",
        "implementation",
        "monitoring",
        "evaluation",
    }
    assert {"urban-planning", "budget", "environment", "health", "education", "mobility"} <= codes["topics"]
    assert {"e-petition", "participatory-budgeting", "crowdmapping", "chatbot"} <= codes["tools"]


def test_each_term_exists_once_per_locale_with_a_shared_translation_key(en, ru):
    for model, terms in seed_terms().items():
        for code, _labels in terms:
            rows = {row.locale_id: row for row in model.objects.filter(code=code)}
            assert set(rows) == {en.pk, ru.pk}
            assert rows[en.pk].translation_key == rows[ru.pk].translation_key
    assert seed_taxonomies() == 0, "seeding twice creates nothing"


def test_a_code_is_unique_within_a_locale(en):
    duplicate = Topic(code="budget", label="Budget again", locale=en)
    with pytest.raises(ValidationError, match="already used in this language"):
        duplicate.full_clean()


def test_labels_are_resolved_by_code_and_locale_with_default_fallback():
    assert label_lookup("ru").label(Topic, "budget") == "Государственный бюджет"
    assert label_lookup("en").label(ParticipationLevel, "empower") == "Empower"
    german = label_lookup("de")  # no German terms yet: English labels, marked untranslated
    assert german.term(GovernmentLevel, "local") == {"code": "local", "label": "Local", "translated": False}


def test_translations_share_taxonomy_codes(en, ru):
    source = CaseStudyPage.objects.filter(locale=en).first()
    translated = source.get_translation(ru)
    codes = lambda page: (  # noqa: E731
        sorted(page.topics.values_list("code", flat=True)),
        sorted(page.tools.values_list("code", flat=True)),
        sorted(page.stages.values_list("code", flat=True)),
        page.government_level.code,
        page.participation_level.code,
    )
    assert codes(source) == codes(translated)
