"""Locales follow MANUAL_LOCALES: adding one needs configuration only."""

import pytest
from wagtail.models import Locale

from manual.models import CaseStudyPage, ManualHomePage
from manual.services.locales import sync_locales

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_german(settings):
    settings.MANUAL_LOCALES = ["en", "ru", "de"]
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("ru", "Русский"), ("de", "Deutsch")]
    return sync_locales()


def test_a_new_locale_gets_a_tree_and_the_review_workflow(with_german):
    assert "de" in with_german.locales_created
    german = Locale.objects.get(language_code="de")
    home = ManualHomePage.objects.get(locale=german)
    assert home.alias_of_id is not None, "untranslated pages are aliases, not translations"
    assert home.get_workflow().name == "Editorial review"
    assert (
        CaseStudyPage.objects.filter(locale=german).count()
        == CaseStudyPage.objects.filter(locale__language_code="en").count()
    )
    assert sync_locales().aliases_created == 0, "a second sync adds nothing"


def test_api_answers_german_only_with_fallback(client, with_german):
    assert client.get("/api/v1/cases?locale=de").json()["count"] == 0
    body = client.get("/api/v1/cases?locale=de&fallback=1&page_size=100").json()
    assert body["count"] >= 12
    assert all(item["fallback"] is True and item["locale"] == "en" for item in body["results"])
    assert all("de" not in item["translations"] for item in body["results"]), "aliases are not translations"
