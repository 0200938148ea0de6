"""A translation is public only once reviewed, and says truthfully what it is (issue "The review
promise holds", points 2, 3 and 8).

Each test starts from what a real install has: a published English page whose Russian place is a
*live* alias (Wagtail publishes aliases with their source), then walks the admin's own paths.
"""

from __future__ import annotations

import re

import pytest
from wagtail.models import Page
from wagtail_localize.models import Translation

from manual.models import AwaitingTranslation, CaseStudyPage, ManualSectionPage
from manual.services import translations
from tests.support.factories import ManualSectionPageFactory
from tests.support.translations import (
    NEW_SUMMARY,
    RUSSIAN,
    approve,
    fill_po,
    live_alias_case,
    submit_url,
    translate_in_admin,
)

pytestmark = pytest.mark.django_db


def searched(client, words: str) -> int:
    return client.get("/api/v1/search", {"q": words, "locale": "ru"}).json()["count"]


def head(html: str) -> str:
    return html.split("</head>")[0]


def assert_fallback_reader_page(client, url: str, english_title: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "notice--fallback" in html, "the page must say it is shown in its source language"
    assert '<main id="main" tabindex="-1" lang="en">' in html
    assert 'hreflang="ru"' not in head(html), "a stand-in is no translation: no hreflang for it"
    assert english_title in html
    main = html.split('<main id="main"')[1].split("</main>")[0]
    assert not any(text in main for text in RUSSIAN.values()), "no unreviewed Russian text"
    # Breadcrumbs stay in the visitor's tree.
    assert 'href="/en/' not in main


def test_translate_this_page_keeps_the_russian_place_a_marked_fallback(
    client, en, ru, editor, django_capture_on_commit_callbacks
):
    source = live_alias_case(ru, "fallback-admin-case")
    target = translate_in_admin(client, editor, source, ru, django_capture_on_commit_callbacks)
    assert target.alias_of_id is None, "wagtail-localize converted the alias"
    assert AwaitingTranslation.objects.filter(page=target).exists()

    assert_fallback_reader_page(client, target.url, source.title)
    # The API: no Russian translation; with fallback=1 the English source, marked.
    assert client.get(f"/api/v1/cases/{source.pk}?locale=ru").status_code == 404
    body = client.get(f"/api/v1/cases/{source.pk}?locale=ru&fallback=1").json()
    assert body["id"] == source.pk and body["locale"] == "en" and body["fallback"] is True
    assert client.get(f"/api/v1/cases/{target.pk}").status_code == 404
    listed = client.get("/api/v1/cases?locale=ru&page_size=100").json()
    assert target.pk not in {item["id"] for item in listed["results"]}
    english = client.get(source.url).content.decode()
    assert 'hreflang="ru"' not in head(english)


def test_translate_this_page_on_a_section_keeps_a_marked_fallback(
    client, en, ru, editor, django_capture_on_commit_callbacks
):
    section = ManualSectionPageFactory(
        title="Unreviewed chapter", slug="unreviewed-chapter", intro="English intro", headings=0, locale_aliases=True
    )
    section.save_revision().publish()
    assert ManualSectionPage.objects.get(translation_key=section.translation_key, locale=ru).live

    target = translate_in_admin(client, editor, section, ru, django_capture_on_commit_callbacks)
    assert_fallback_reader_page(client, target.url, "Unreviewed chapter")
    assert client.get(f"/api/v1/sections/{section.pk}?locale=ru").status_code == 404
    tree = client.get("/api/v1/sections?locale=ru").content.decode()
    assert str(target.pk) not in re.findall(r'"id": ?(\d+)', tree)


def test_a_translation_in_review_is_not_public_until_approved(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    source = live_alias_case(ru, "review-gate-case")
    target = translate_in_admin(client, editor, source, ru, django_capture_on_commit_callbacks)
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=ru)
    translation.import_po(fill_po(translation, RUSSIAN), user=translator)
    client.force_login(translator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(translation)).status_code == 302
    client.logout()
    in_review = Page.objects.get(pk=target.pk)
    assert in_review.workflow_in_progress

    # Before a moderator acts: the reader, the API and search show no Russian text of it.
    assert_fallback_reader_page(client, target.url, source.title)
    assert client.get(f"/api/v1/cases/{source.pk}?locale=ru").status_code == 404
    assert "Примерограда" not in client.get("/api/v1/cases?locale=ru&page_size=100").content.decode()
    assert searched(client, "Примероград") == 0

    with django_capture_on_commit_callbacks(execute=True):
        approve(client, moderator, in_review)
    client.logout()
    assert not AwaitingTranslation.objects.filter(page_id=target.pk).exists()
    html = client.get(target.url).content.decode()
    assert "Открытый бюджет Примерограда" in html and "notice--fallback" not in html
    assert 'hreflang="ru"' in head(html)
    body = client.get(f"/api/v1/cases/{source.pk}?locale=ru").json()
    assert body["id"] == target.pk and body["fallback"] is False and body["title"] == "Открытый бюджет Примерограда"
    assert searched(client, "Примероград") == 1


def test_publishing_the_source_marks_changed_strings_outdated_at_once(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    source = live_alias_case(ru, "outdated-at-once-case")
    target = translate_in_admin(client, editor, source, ru, django_capture_on_commit_callbacks)
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=ru)
    translation.import_po(fill_po(translation, RUSSIAN), user=translator)
    client.force_login(translator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(submit_url(translation))
        approve(client, moderator, target)
    client.logout()

    def status() -> dict:
        rows = client.get("/api/v1/translations/status?locale=ru&type=case_study&page_size=100").json()["results"]
        return next(row for row in rows if row["id"] == source.pk)["locales"]["ru"]

    assert status()["outdated"] == 0 and status()["percent"] == 100
    assert "notice--outdated" not in client.get(target.url).content.decode()

    # The editor publishes a change to the English source; nobody presses "Sync translated pages".
    source = CaseStudyPage.objects.get(pk=source.pk)
    source.summary = NEW_SUMMARY
    with django_capture_on_commit_callbacks(execute=True):
        source.save_revision(user=editor).publish()

    assert status()["outdated"] == 1 and status()["percent"] < 100
    outdated = translations.outdated_strings(Translation.objects.get(pk=translation.pk))
    assert [segment.string.data for segment in outdated] == [NEW_SUMMARY]
    html = client.get(target.url).content.decode()
    assert "notice--outdated" in html, "readers are told the original changed since"
    assert RUSSIAN["Residents propose and vote on projects for the city budget."] in html, "the live text stays"
    assert "notice--fallback" not in html
