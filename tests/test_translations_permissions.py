"""Roles in the translation workflow: translators translate and submit for review, never publish,
move or approve; editors submit pages for translation."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from manual.models import CaseStudyPage, ManualSectionPage
from manual.services import translations
from tests.test_translations import RUSSIAN, fill_po, new_english_case

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
    source_page = new_english_case(en, slug="approval-case")
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
    source_page = new_english_case(en, slug="editor-submits")
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
