"""Roles in the translation workflow: translators translate and submit for review, never publish,
move or approve, never convert a translation to an alias and never edit taxonomy terms outside the
translation editor; editors submit pages for translation (docs/roles.md)."""

import html
import json
import re

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import StringSegment, Translation
from wagtail_localize.operations import TranslationCreator

from manual.models import CaseStudyPage, ManualSectionPage, Topic
from manual.services import translations
from tests.support.factories import CaseStudyPageFactory, TopicFactory
from tests.support.translations import RUSSIAN, approve, fill_po

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    # Wagtail answers a refused admin action with 403 or a redirect to the dashboard.
    return response.status_code == 403 or (
        response.status_code == 302 and response.headers["Location"] in {"/admin/", reverse("wagtailadmin_home")}
    )


def test_translators_can_edit_but_never_publish_nor_move(translator, en, ru):
    for page in (CaseStudyPage.objects.filter(locale=en).first(), CaseStudyPage.objects.filter(locale=ru).first()):
        perms = page.permissions_for_user(translator)
        assert perms.can_edit()
        assert not perms.can_publish() and not perms.can_unpublish() and not perms.can_move()
        assert not perms.can_delete() and not perms.can_add_subpage()


def test_a_translator_cannot_publish_a_translation_from_the_translation_editor(client, translator, ru):
    page = CaseStudyPage.objects.filter(locale=ru).first()
    revision_id = page.live_revision_id
    client.force_login(translator)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), {"action": "publish"})
    assert refused(response)
    assert Page.objects.get(pk=page.pk).live_revision_id == revision_id


def test_a_translator_cannot_move_pages(client, translator, en):
    page = (
        ManualSectionPage.objects.filter(locale=en, depth__gt=3).first()
        or ManualSectionPage.objects.filter(locale=en).last()
    )
    other = ManualSectionPage.objects.filter(locale=en).exclude(pk=page.pk).exclude(pk=page.get_parent().pk).first()
    client.force_login(translator)
    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=[page.pk, other.pk]))
    assert refused(response)
    assert Page.objects.get(pk=page.pk).get_parent().pk == page.get_parent().pk


def test_a_translator_cannot_approve_a_translation_in_review(
    client, en, ru, editor, translator, django_capture_on_commit_callbacks
):
    source_page = CaseStudyPageFactory(slug="approval-case")
    [translation] = translations.submit_for_translation(source_page, [ru], editor)
    translation.import_po(fill_po(translation, RUSSIAN), user=translator)
    with django_capture_on_commit_callbacks(execute=True):
        state = translations.submit_translation_for_review(translation, translator)
    target = Page.objects.get(pk=state.content_object.pk)
    client.force_login(translator)
    url = reverse("wagtailadmin_pages:workflow_action", args=(target.pk, "approve", state.current_task_state.pk))
    assert refused(client.post(url))
    target.refresh_from_db()
    assert target.workflow_in_progress and not target.live


def test_editors_submit_pages_for_translation_translators_do_not(client, en, ru, editor, translator):
    source_page = CaseStudyPageFactory(slug="editor-submits")
    url = reverse("wagtail_localize:submit_page_translation", args=[source_page.pk])
    client.force_login(translator)
    assert refused(client.get(url))
    with pytest.raises(translations.TranslationRefused):
        translations.submit_for_translation(source_page, [ru], translator)
    client.force_login(editor)
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [ru.pk]})
    assert response.status_code == 302
    target = CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru)
    assert target.alias_of_id is None


# --- "Convert to alias page": publishers only -------------------------------------------------------


def _page_in_translation(en, ru, editor, slug: str) -> tuple[CaseStudyPage, Translation]:
    source_page = CaseStudyPageFactory(slug=slug)
    [translation] = translations.submit_for_translation(source_page, [ru], editor)
    return CaseStudyPage.objects.get(translation_key=source_page.translation_key, locale=ru), translation


def editor_props(response) -> dict:
    match = re.search(r'class="js-translation-editor" data-props="([^"]*)"', response.content.decode())
    assert match, "the translation editor"
    return json.loads(html.unescape(match.group(1)))


def test_a_translator_cannot_convert_a_translation_to_an_alias(client, en, ru, editor, translator):
    target, translation = _page_in_translation(en, ru, editor, "alias-refused")
    url = reverse("wagtail_localize:convert_to_alias", args=[target.pk])
    client.force_login(translator)
    assert refused(client.get(url)) and refused(client.post(url))
    assert client.post(url, headers={"X-Requested-With": "XMLHttpRequest"}).status_code == 403
    # The page editor's own "Convert to alias page" action redirects to the same refusal.
    edit_url = reverse("wagtailadmin_pages:edit", args=[target.pk])
    response = client.post(edit_url, {"localize-convert-to-alias": "1"})
    assert response.status_code == 302 and refused(client.post(response.headers["Location"]))
    target.refresh_from_db()
    assert target.alias_of_id is None and not target.live
    assert Translation.objects.filter(pk=translation.pk, enabled=True).exists()

    client.force_login(editor)  # who may publish the page still may
    assert client.post(url).status_code == 302
    target.refresh_from_db()
    assert target.alias_of_id is not None


def test_the_translation_editor_offers_translators_submit_for_review_not_convert_to_alias(
    client, en, ru, editor, translator
):
    target, translation = _page_in_translation(en, ru, editor, "editor-actions")
    edit_url = reverse("wagtailadmin_pages:edit", args=[target.pk])
    review_url = reverse("manual_translations:review", args=[translation.pk])

    client.force_login(translator)
    response = client.get(edit_url)
    assert response.status_code == 200
    props = editor_props(response)
    assert props["links"]["convertToAliasUrl"] is None and not props["perms"]["canPublish"]
    assert f'href="{review_url}"' in response.content.decode() and "Submit for review" in response.content.decode()

    client.force_login(editor)
    response = client.get(edit_url)
    assert editor_props(response)["links"]["convertToAliasUrl"] == reverse(
        "wagtail_localize:convert_to_alias", args=[target.pk]
    )
    assert f'href="{review_url}"' not in response.content.decode()


def test_the_page_editor_shows_convert_to_alias_to_publishers_only(client, en, ru, editor, translator):
    target, translation = _page_in_translation(en, ru, editor, "menu-convert")
    translation.enabled = False  # "Stop Synced translation": the page is edited in Wagtail's editor
    translation.save()
    edit_url = reverse("wagtailadmin_pages:edit", args=[target.pk])
    client.force_login(translator)
    assert "localize-convert-to-alias" not in client.get(edit_url).content.decode()
    client.force_login(editor)
    assert "localize-convert-to-alias" in client.get(edit_url).content.decode()


# --- Taxonomy terms: translators translate in the translation editor only ---------------------------


def term_edit_url(term) -> str:
    return reverse(type(term).snippet_viewset.get_url_name("edit"), args=[term.pk])


def term_form(term, **changes) -> dict:
    data = {"code": term.code, "label": term.label, "description": term.description, "sort_order": term.sort_order}
    return {**data, **changes}


def test_a_translator_cannot_edit_a_source_term_nor_its_code(client, en, ru, translator):
    term = Topic.objects.get(locale=en, code="budget")
    russian = Topic.objects.get(locale=ru, code="budget")
    assert not Translation.objects.filter(source__object_id=term.translation_key).exists()
    client.force_login(translator)
    for row in (term, russian):  # the source row, and a Russian row not in synchronised translation
        assert refused(client.get(term_edit_url(row)))
        assert refused(client.post(term_edit_url(row), term_form(row, code="budget-2", label="Changed")))
        xhr = {"X-Requested-With": "XMLHttpRequest"}
        assert client.post(term_edit_url(row), term_form(row, label="Changed"), headers=xhr).status_code == 403
    assert Topic.objects.get(pk=term.pk).label == term.label and Topic.objects.get(pk=term.pk).code == "budget"
    assert Topic.objects.get(pk=russian.pk).label == russian.label and Topic.objects.get(pk=russian.pk).code == "budget"


def test_editors_edit_codes_in_the_default_locale_only(client, en, ru, editor):
    term = TopicFactory(code="civic-tek", label="Civic technology")
    client.force_login(editor)
    response = client.post(term_edit_url(term), term_form(term, code="civic-tech", label="Civic tech"))
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.code, term.label) == ("civic-tech", "Civic tech")

    russian = Topic.objects.get(locale=ru, code="budget")
    response = client.post(term_edit_url(russian), term_form(russian, code="russian-budget", label="Бюджет"))
    assert response.status_code == 302
    russian.refresh_from_db()
    assert (russian.code, russian.label) == ("budget", "Бюджет"), "the code of a translation is read-only"
    assert Topic.objects.get(locale=en, code="budget").label != "Бюджет"


def test_a_translators_term_translation_goes_live_with_a_reviewed_case_translation(
    client, en, ru, editor, translator, moderator, django_capture_on_commit_callbacks
):
    term = TopicFactory(code="civic-tech", label="Civic technology")
    TranslationCreator(editor, [ru]).create_translations(term)
    translation = Translation.objects.get(source__object_id=term.translation_key, target_locale=ru, enabled=True)
    russian = Topic.objects.get(locale=ru, translation_key=term.translation_key)

    client.force_login(translator)
    response = client.get(term_edit_url(russian))
    assert response.status_code == 200 and "wagtail_localize/admin/edit_translation.html" in [
        template.name for template in response.templates
    ]
    segment = StringSegment.objects.get(source=translation.source, context__path="label")
    string_url = reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk])
    response = client.put(string_url, "value=Гражданские+технологии", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 201)
    before = russian.label
    response = client.post(term_edit_url(russian), {"action": "publish"}, follow=True)
    assert "becomes public with the reviewed translation of a case" in response.content.decode()

    # Terms have no drafts: the translator's label is not public yet...
    russian.refresh_from_db()
    term.refresh_from_db()
    assert (russian.label, russian.code) == (before, "civic-tech")
    assert (term.label, term.code) == ("Civic technology", "civic-tech")

    # ...until a moderator approves a case translation that uses the term.
    case = CaseStudyPageFactory(slug="civic-tech-case")
    case.topics = [term]
    case.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        [case_translation] = translations.submit_for_translation(case, [ru], editor)
    case_translation.import_po(fill_po(case_translation, RUSSIAN), user=translator)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("manual_translations:submit_for_review", args=[case_translation.pk])).status_code == 302
        )
        approve(client, moderator, CaseStudyPage.objects.get(translation_key=case.translation_key, locale=ru))
    russian.refresh_from_db()
    assert (russian.label, russian.code) == ("Гражданские технологии", "civic-tech")
    assert Topic.objects.get(pk=term.pk).label == "Civic technology"
