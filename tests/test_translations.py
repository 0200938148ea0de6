"""Translation workflow (issue "Translation workflows"): submit, PO round trip, review, outdated strings.

The end-to-end test walks the acceptance path on the suite's database (SQLite in ``make
test-quick``, PostgreSQL in ``make test``) with a new English case: the demo cases are translated
already.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from manual import admin_views
from manual.machine_translators import PseudoTranslator
from manual.models import CaseStudyPage, ManualSectionPage, Topic
from manual.services import translation_status, translations
from manual.services.locales import sync_locales
from manual.wagtail_hooks import translation_review_button
from tests.support.commands import run_manage
from tests.support.factories import CaseStudyPageFactory, TopicFactory
from tests.support.translations import CYRILLIC, NEW_SUMMARY, RUSSIAN, approve, fill_po, submit_url

pytestmark = pytest.mark.django_db
NEW_SUMMARY_RU = "Жители предлагают, обсуждают проекты городского бюджета и голосуют за них."


def test_translation_walks_from_submission_to_review_and_back_after_a_source_change(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        source_page = CaseStudyPageFactory()
        # Editor submits the case for translation into Russian (as wagtail-localize's admin view does).
        [translation] = translations.submit_for_translation(source_page, [ru], editor)
    draft = CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru)
    assert draft.alias_of_id is None and not draft.live, "a draft until review, never a live English copy"
    assert client.get(f"/api/v1/cases/{source_page.pk}?locale=ru").status_code == 404

    # Nothing translated yet: "Submit for review" is refused.
    client.force_login(translator)
    assert client.post(submit_url(translation)).status_code == 302
    assert not Page.objects.get(pk=draft.pk).workflow_in_progress

    # The translator works offline: PO exported, filled, imported.
    warnings = translation.import_po(fill_po(translation, RUSSIAN), user=translator)
    assert warnings == []
    assert not translations.missing_segments(translation).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(translation))
    assert response.status_code == 302
    draft = CaseStudyPage.objects.get(pk=draft.pk)
    assert draft.workflow_in_progress and not draft.live
    assert draft.get_latest_revision().as_object().title == "Открытый бюджет Примерограда"

    with django_capture_on_commit_callbacks(execute=True):
        approve(client, moderator, draft)
    live = CaseStudyPage.objects.get(pk=draft.pk)
    assert live.live and live.title == "Открытый бюджет Примерограда"
    body = client.get(f"/api/v1/cases/{source_page.pk}?locale=ru").json()
    assert body["id"] == live.pk and body["locale"] == "ru" and body["fallback"] is False
    assert body["summary"].startswith("Жители") and CYRILLIC.search(body["topics"][0]["label"])
    assert CYRILLIC.search(body["government_level"]["label"])

    # The English source is edited and synced: the Russian page lists what is outdated and stays live.
    source_page.summary = NEW_SUMMARY
    with django_capture_on_commit_callbacks(execute=True):
        source_page.save_revision(user=editor).publish()
        TranslationSource.objects.get_for_instance(source_page).update_from_db()
    translation = Translation.objects.get(pk=translation.pk)  # segments were rebuilt
    outdated = list(translations.outdated_strings(translation))
    assert [segment.string.data for segment in outdated] == [NEW_SUMMARY]
    assert [segment.context.path for segment in outdated] == ["summary"]
    body = client.get(f"/api/v1/cases/{live.pk}").json()
    assert body["summary"] == RUSSIAN["Residents propose and vote on projects for the city budget."]
    client.force_login(translator)
    assert client.post(submit_url(translation)).status_code == 302
    assert not Page.objects.get(pk=live.pk).workflow_in_progress, "refused while strings are outdated"

    # The translator updates the string (PO again), submits; the live page keeps its text meanwhile.
    translation.import_po(fill_po(translation, {NEW_SUMMARY: NEW_SUMMARY_RU}), user=translator)
    assert not translations.outdated_strings(translation).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(translation)).status_code == 302
    in_review = CaseStudyPage.objects.get(pk=live.pk)
    assert in_review.workflow_in_progress and in_review.live and in_review.has_unpublished_changes
    assert in_review.summary.startswith("Жители предлагают проекты"), "the draft does not leak into the live row"
    assert client.get(f"/api/v1/cases/{live.pk}").json()["summary"].startswith("Жители предлагают проекты")

    with django_capture_on_commit_callbacks(execute=True):
        approve(client, moderator, in_review)
    assert client.get(f"/api/v1/cases/{live.pk}").json()["summary"] == NEW_SUMMARY_RU
    published = CaseStudyPage.objects.get(pk=live.pk)
    assert published.live and published.title == "Открытый бюджет Примерограда"


def test_submit_for_review_needs_the_right_to_edit_the_page(client, en, ru, editor, django_user_model):
    with_nothing = django_user_model.objects.create_user(username="reader", password="pw")
    source_page = CaseStudyPageFactory(slug="rights-case")
    [translation] = translations.submit_for_translation(source_page, [ru], editor)
    translation.import_po(fill_po(translation, RUSSIAN))
    client.force_login(with_nothing)
    response = client.post(submit_url(translation))
    assert response.status_code in {302, 403}
    assert not Page.objects.get(translation_key=source_page.translation_key, locale=ru).workflow_in_progress
    client.force_login(editor)
    assert client.get(submit_url(translation)).status_code == 405, "the action is POST only"


def test_machine_strings_block_review_until_a_human_marks_them_reviewed(
    client, settings, en, ru, editor, translator, moderator
):
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": "manual.machine_translators.PseudoTranslator",
        "OPTIONS": {"GLOSSARY": RUSSIAN},
    }
    source_page = CaseStudyPageFactory(slug="machine-case")
    [translation] = translations.submit_for_translation(source_page, [ru], editor)
    # The translator presses "Translate with machine" in wagtail-localize's editor.
    client.force_login(translator)
    response = client.post(reverse("wagtail_localize:machine_translate", args=[translation.pk]), {"next": "/admin/"})
    assert response.status_code == 302
    strings = StringTranslation.objects.filter(locale=ru, context__object_id=source_page.translation_key)
    assert strings.exists() and all(s.translation_type == "machine" for s in strings)
    assert strings.get(context__path="title").data == "Открытый бюджет Примерограда"
    assert strings.get(context__path="slug").data == "[ru] machine-case"
    strings.filter(context__path="slug").update(data="machine-case", translation_type="manual")
    assert not translations.missing_segments(translation).exists()

    with pytest.raises(translations.TranslationRefused) as refused:
        translations.submit_translation_for_review(translation, translator)
    assert refused.value.code == "unreviewed_machine_strings" and refused.value.count == strings.count() - 1

    status = client.get("/api/v1/translations/status", {"locale": "ru", "type": "case_study", "page_size": 100})
    item = next(row for row in status.json()["results"] if row["id"] == source_page.pk)
    assert item["locales"]["ru"]["machine"] == strings.count() - 1 and item["locales"]["ru"]["reviewed"] == 0

    review_url = reverse("manual_translations:mark_machine_reviewed", args=[translation.pk])
    assert client.post(review_url).status_code == 302
    assert not translations.unreviewed_machine_strings(translation).exists()
    assert client.post(submit_url(translation)).status_code == 302
    assert Page.objects.get(translation_key=source_page.translation_key, locale=ru).workflow_in_progress

    # A string machine-translated again after the review needs a new review.
    title = strings.get(context__path="title")
    title.data = "Открытый бюджет"
    title.save()
    assert list(translations.unreviewed_machine_strings(translation)) == [title]


def test_pseudo_translator_keeps_html_and_uses_its_glossary(en, ru):
    translator = PseudoTranslator({"GLOSSARY": {"Budget": "Бюджет"}})
    value = StringValue.from_source_html('Read <b>the plan</b> and <a href="https://example.org">Budget</a>')[0]
    result = translator.translate(en, ru, [value])[value]
    assert result.data == '[ru] Read <b>[ru] the plan</b> [ru] and <a id="a1">Бюджет</a>'
    assert translator.can_translate(en, ru) and not translator.can_translate(en, en)


def test_machine_translator_comes_from_the_environment():
    show = ("shell", "-c", "from django.conf import settings; print(settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR)")
    deepl = run_manage({"DEEPL_API_KEY": "key:fx", "MACHINE_TRANSLATOR": ""}, *show)
    assert "deepl.DeepLTranslator" in deepl.stdout and "key:fx" in deepl.stdout, deepl.stderr
    pseudo = run_manage({"DEEPL_API_KEY": "", "MACHINE_TRANSLATOR": "pseudo"}, *show)
    assert "manual.machine_translators.PseudoTranslator" in pseudo.stdout, pseudo.stderr
    wrong = run_manage({"DEEPL_API_KEY": "", "MACHINE_TRANSLATOR": "deepl"}, "check")
    assert wrong.returncode != 0 and "MACHINE_TRANSLATOR: deepl needs DEEPL_API_KEY" in wrong.stderr


def test_status_route_reports_every_page_per_locale_in_constant_queries(client, settings, en):
    body = client.get("/api/v1/translations/status", {"type": "case_study", "page_size": 100}).json()
    cases = CaseStudyPage.objects.live().filter(locale=en, alias_of__isnull=True)
    assert body["count"] == cases.count() and {row["id"] for row in body["results"]} == set(
        cases.values_list("pk", flat=True)
    )
    for row in body["results"]:
        assert row["type"] == "case_study" and row["locale"] == "en" and set(row["locales"]) == {"ru"}
        ru = row["locales"]["ru"]
        assert ru["present"] and ru["live"] and ru["percent"] == 100 and ru["total"] == ru["translated"] == ru["human"]
        assert ru["outdated"] == ru["machine"] == ru["reviewed"] == 0
    sections = client.get("/api/v1/translations/status", {"type": "section", "locale": "ru", "page_size": 3}).json()
    assert sections["count"] == ManualSectionPage.objects.filter(locale=en, alias_of__isnull=True).count()
    assert len(sections["results"]) == 3 and all(row["type"] == "section" for row in sections["results"])

    def queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/translations/status", {"page_size": page_size})
        assert response.status_code == 200 and len(response.json()["results"]) == min(
            page_size, response.json()["count"]
        )
        return len(captured)

    queries(1)  # warm caches (content types, default locale)
    assert queries(2) == queries(30)

    for params, field in (({"page_size": 101}, "page_size"), ({"type": "blog"}, "type"), ({"locale": "xx"}, "locale")):
        response = client.get("/api/v1/translations/status", params)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_status_route_reports_a_new_locale(client, settings):
    settings.MANUAL_LOCALES = ["en", "ru", "de"]
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("ru", "Русский"), ("de", "Deutsch")]
    sync_locales()
    body = client.get("/api/v1/translations/status", {"page_size": 5}).json()
    assert all(set(row["locales"]) == {"de", "ru"} for row in body["results"])
    assert all(not row["locales"]["de"]["present"] and row["locales"]["de"]["percent"] == 0 for row in body["results"])
    assert "/api/v1/translations/status" in client.get("/api/v1/openapi.json").json()["paths"]


def test_status_route_and_report_list_live_source_pages_only(client, en, editor, django_capture_on_commit_callbacks):
    unpublished = CaseStudyPageFactory(slug="withdrawn-case")
    unpublished.title = "Withdrawn case"
    unpublished.save_revision().publish()
    unpublished.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        in_review = CaseStudyPageFactory(slug="draft-in-review")
        in_review.unpublish()
        in_review.title = "Draft still in review"
        in_review.save()
        in_review.save_revision()
        in_review.get_workflow().start(in_review, editor)
    live = CaseStudyPageFactory(slug="live-case")
    hidden = {unpublished.pk, in_review.pk}

    body = client.get("/api/v1/translations/status", {"type": "case_study", "page_size": 100}).json()
    ids = {row["id"] for row in body["results"]}
    assert live.pk in ids and not ids & hidden
    assert body["count"] == CaseStudyPage.objects.live().filter(locale=en, alias_of__isnull=True).count()
    text = json.dumps(body, ensure_ascii=False)
    assert "Withdrawn case" not in text and "Draft still in review" not in text

    client.force_login(editor)
    rows = client.get(reverse("manual_translations:report")).context["rows"]
    assert live.pk in {row["id"] for row in rows} and not {row["id"] for row in rows} & hidden


def test_review_page_shows_what_blocks_a_submission(client, en, ru, editor, translator):
    source_page = CaseStudyPageFactory(slug="review-page-case")
    [translation] = translations.submit_for_translation(source_page, [ru], editor)
    client.force_login(translator)
    response = client.get(reverse("manual_translations:review", args=[translation.pk]))
    assert response.status_code == 200
    assert response.context["missing"] == translations.missing_segments(translation).count() > 0
    assert reverse("manual_translations:submit_for_review", args=[translation.pk]) in response.content.decode()
    target = CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru)

    [button] = translation_review_button(target, translator)
    assert button.url == reverse("manual_translations:review", args=[translation.pk])
    assert list(translation_review_button(source_page, translator)) == []


def test_admin_report_lists_pages_missing_or_outdated(client, en, editor):
    source_page = CaseStudyPageFactory(slug="report-case")
    client.force_login(editor)
    response = client.get(reverse("manual_translations:report"))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["rows"]}
    assert source_page.pk in rows and not rows[source_page.pk]["locales"]["ru"]["present"]
    assert all(row["id"] == source_page.pk for row in rows.values()), "the demo pages are fully translated"
    assert "Open budget of Exampleville" in response.content.decode()


def test_a_case_goes_to_translation_with_the_taxonomy_terms_it_uses(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    civic_tech = TopicFactory(code="civic-tech", label="Civic technology")
    with django_capture_on_commit_callbacks(execute=True):
        source_page = CaseStudyPageFactory(slug="civic-tech-case")
        source_page.topics = [Topic.objects.get(locale=en, code="budget"), civic_tech]
        source_page.save_revision().publish()
        [page_translation] = translations.submit_for_translation(source_page, [ru], editor)

    # The new term went along; the terms Russian already has were left alone.
    term_translation = Translation.objects.get(source__object_id=civic_tech.translation_key, target_locale=ru)
    assert not Translation.objects.filter(
        source__object_id=Topic.objects.get(locale=en, code="budget").translation_key
    ).exists()
    assert Topic.objects.get(locale=ru, code="budget").label == "Государственный бюджет"

    # The translator translates the term (PO round trip) and the page; the moderator approves the page.
    term_translation.import_po(fill_po(term_translation, {"Civic technology": "Гражданские технологии"}))
    term_translation.save_target(user=translator)
    assert Topic.objects.get(locale=ru, code="civic-tech").label == "Гражданские технологии"
    page_translation.import_po(fill_po(page_translation, RUSSIAN), user=translator)
    client.force_login(translator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(page_translation)).status_code == 302
    target = CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru)
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, moderator, target)

    body = client.get(f"/api/v1/cases/{source_page.pk}?locale=ru").json()
    assert body["fallback"] is False
    assert {topic["code"]: topic["label"] for topic in body["topics"]} == {
        "budget": "Государственный бюджет",
        "civic-tech": "Гражданские технологии",
    }


def test_the_admin_translate_action_submits_the_missing_terms_too(
    client, en, ru, editor, django_capture_on_commit_callbacks
):
    participatory_design = TopicFactory(code="participatory-design", label="Participatory design")
    source_page = CaseStudyPageFactory(slug="admin-terms-case")
    source_page.topics = [participatory_design]
    source_page.save_revision().publish()
    client.force_login(editor)
    url = reverse("wagtail_localize:submit_page_translation", args=[source_page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"locales": [ru.pk]}).status_code == 302
    assert Translation.objects.filter(source__object_id=participatory_design.translation_key, target_locale=ru).exists()
    assert Topic.objects.filter(locale=ru, code="participatory-design").exists()


def test_syncing_translations_never_publishes_them(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        source_page = CaseStudyPageFactory(slug="sync-case")
        [translation] = translations.submit_for_translation(source_page, [ru], editor)
    translation.import_po(fill_po(translation, RUSSIAN), user=translator)
    client.force_login(translator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(translation)).status_code == 302
    target = CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru)
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, moderator, target)

    source_page.summary = NEW_SUMMARY
    source_page.save_revision(user=editor).publish()
    client.force_login(editor)
    source = TranslationSource.objects.get_for_instance(source_page)
    url = reverse("wagtail_localize:update_translations", args=[source.pk])
    assert "Publish immediately" not in client.get(url).content.decode()
    # A hand-made POST with the box ticked syncs but publishes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"publish_translations": "on"}).status_code == 302
    live = CaseStudyPage.objects.get(pk=target.pk)
    assert live.live and live.summary == RUSSIAN["Residents propose and vote on projects for the city budget."]
    translation = Translation.objects.get(pk=translation.pk)
    assert [segment.string.data for segment in translations.outdated_strings(translation)] == [NEW_SUMMARY]


def test_admin_report_paginates_the_pages_that_need_work(client, en, editor, monkeypatch):
    first = CaseStudyPageFactory(slug="report-first")
    second = CaseStudyPageFactory(slug="report-second")
    monkeypatch.setattr(admin_views, "REPORT_PAGE_SIZE", 1)
    monkeypatch.setattr(translation_status, "REPORT_BATCH", 3)  # several batches over the demo pages
    client.force_login(editor)
    seen = []
    for number in (1, 2):
        response = client.get(reverse("manual_translations:report"), {"p": number})
        seen += [row["id"] for row in response.context["rows"]]
        assert response.context["has_next"] is (number == 1)
    assert seen == [first.pk, second.pk]
