"""The demo manual: believable content in English and Russian, loaded idempotently."""

import re

import pytest
from wagtail.models import Page, Revision
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from manual.models import BODY_SECTIONS, CaseStudyPage, ManualSectionPage
from manual.services.demo import load_demo_manual
from tests.support.translations import CYRILLIC

pytestmark = pytest.mark.django_db
TEXT_FIELDS = ("title", "summary", "organisation", "city", "region", *BODY_SECTIONS)


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_demo_has_sections_and_cases_in_both_languages(en, ru):
    for locale in (en, ru):
        assert ManualSectionPage.objects.live().filter(locale=locale, alias_of__isnull=True).count() >= 6
        assert CaseStudyPage.objects.live().filter(locale=locale, alias_of__isnull=True).count() >= 12
    assert ManualSectionPage.objects.filter(locale=en, depth__gt=3).exists(), "sections nest"


def test_every_case_has_every_taxonomy_filled(en_cases):
    for case in en_cases:
        assert case.government_level and case.participation_level, case.slug
        assert case.topics.exists() and case.tools.exists() and case.stages.exists(), case.slug
        assert case.country and case.start_year and case.latitude is not None, case.slug
        assert case.metrics.exists() and case.links.exists(), case.slug


def test_russian_text_is_cyrillic_different_and_not_much_shorter(en_cases, ru):
    for source in en_cases:
        translated = source.get_translation(ru)
        for name in TEXT_FIELDS:
            english, russian = strip_tags(getattr(source, name)), strip_tags(getattr(translated, name))
            assert CYRILLIC.search(russian), (source.slug, name)
            assert russian != english, (source.slug, name)
            assert len(russian) >= len(english) / 2, (source.slug, name)
        for metric_en, metric_ru in zip(source.metrics.all(), translated.metrics.all(), strict=True):
            assert CYRILLIC.search(metric_ru.label) and metric_ru.value == metric_en.value


def test_russian_pages_are_fully_human_translated_through_wagtail_localize(ru):
    translations = Translation.objects.filter(target_locale=ru).select_related("source")
    assert translations.count() >= 12 + 6
    for translation in translations:
        total, translated = translation.get_progress()
        assert total > 0 and total == translated, translation.source.object_repr
    segments = StringSegment.objects.filter(source__translations__target_locale=ru)
    machine = StringTranslation.objects.filter(locale=ru, translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE)
    assert segments.exists() and not machine.exists()


def test_loading_twice_changes_nothing():
    pages, revisions = Page.objects.count(), Revision.objects.count()
    strings = StringTranslation.objects.count()
    report = load_demo_manual()
    assert not report.changed and report.unchanged >= 18 + 2
    assert (Page.objects.count(), Revision.objects.count(), StringTranslation.objects.count()) == (
        pages,
        revisions,
        strings,
    )


def test_loader_keeps_editors_changes(en):
    case = CaseStudyPage.objects.filter(locale=en).first()
    case.summary = "Edited by an editor."
    case.save_revision().publish()
    load_demo_manual()
    case.refresh_from_db()
    assert case.summary == "Edited by an editor."
