"""Locales follow MANUAL_LOCALES: adding one needs configuration only."""

import re

import pytest
from wagtail.models import Locale

from manual.models import CaseStudyPage, ManualHomePage, Topic
from manual.services.locales import sync_locales
from tests.support.commands import run_manage

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


# --- A third language is configuration: interface, taxonomy labels, admin -------------------------


@pytest.fixture
def with_italian(settings):
    """A locale for which the service ships no interface catalogue."""
    settings.MANUAL_LOCALES = ["en", "ru", "it"]
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("ru", "Русский"), ("it", "Italiano")]
    return sync_locales()


def test_german_pages_speak_german(client, with_german):
    html = client.get("/de/").content.decode()
    assert '<html lang="de">' in html
    assert "Zum Inhalt springen" in html and "Skip to content" not in html
    assert "Erklärung zur Barrierefreiheit" in html
    assert "notice--interface" not in html, "a shipped catalogue is not a fallback"
    html = client.get("/de/submit/").content.decode()
    assert "Praxisbeispiel senden" in html and "Send the case" not in html


def test_a_locale_without_a_catalogue_shows_the_interface_in_english_and_says_so(client, with_italian):
    html = client.get("/it/submit/").content.decode()
    assert '<html lang="it">' in html
    assert '<a class="skip-link" href="#main" lang="en">Skip to content</a>' in html
    assert '<footer class="site-footer" lang="en">' in html
    notice = re.search(r'<p class="notice notice--interface" role="note" lang="en">(.*?)</p>', html, re.S)
    assert notice and '<span lang="it">italiano</span>' in notice.group(1)
    assert "shown in English" in notice.group(1)
    english = client.get("/en/submit/").content.decode()
    assert "notice--interface" not in english and '<a class="skip-link" href="#main">' in english


def test_taxonomy_labels_of_a_new_locale_are_marked_untranslated_and_listed(client, with_german):
    topics = client.get("/api/v1/taxonomies/topics?locale=de").json()["results"]
    budget = next(term for term in topics if term["code"] == "budget")
    assert budget["label"] == "Public budget" and budget["translated"] is False

    status = client.get("/api/v1/translations/status?locale=de").json()["taxonomies"]
    assert list(status) == ["de"]
    assert status["de"]["translated"] == 0 and status["de"]["percent"] == 0 and status["de"]["total"] >= 30
    assert {"kind": "topics", "code": "budget", "label": "Public budget"} in status["de"]["untranslated"]
    everything = client.get("/api/v1/translations/status").json()["taxonomies"]
    assert everything["ru"]["percent"] == 100 and everything["ru"]["untranslated"] == []

    source = Topic.objects.get(locale__language_code="en", code="budget")
    german = source.copy_for_translation(Locale.objects.get(language_code="de"))
    german.label = "Öffentlicher Haushalt"
    german.save()
    topics = client.get("/api/v1/taxonomies/topics?locale=de").json()["results"]
    assert {"code": "budget", "label": "Öffentlicher Haushalt", "translated": True}.items() <= next(
        term for term in topics if term["code"] == "budget"
    ).items()
    status = client.get("/api/v1/translations/status?locale=de").json()["taxonomies"]["de"]
    assert status["translated"] == 1
    assert all(term["code"] != "budget" or term["kind"] != "topics" for term in status["untranslated"])


def test_the_admin_offers_the_configured_languages():
    result = run_manage(
        {"MANUAL_LOCALES": "en,ru,de", "SECRET_KEY": "tests-only-secret-key-m8iZLaubRNlxgqG0oJBnKAaohfNU36luHyOsH2-G"},
        "shell",
        "-v0",
        "-c",
        "from wagtail.admin.localization import get_available_admin_languages as languages;"
        "print(','.join(code for code, _name in languages()))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "en,ru,de"
