"""The translation workflow as the tests walk it: a translator's PO file, review, the admin's paths.

The Russian strings translate the fields of ``CaseStudyPageFactory`` (tests/support/factories.py).
"""

from __future__ import annotations

import re

import polib
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import Translation

from manual.models import CaseStudyPage
from tests.support.factories import CaseStudyPageFactory

CYRILLIC = re.compile("[А-Яа-яЁё]")
RUSSIAN = {
    "Open budget of Exampleville": "Открытый бюджет Примерограда",
    "Residents propose and vote on projects for the city budget.": "Жители предлагают проекты бюджета и голосуют.",
    "Exampleville city council": "Городской совет Примерограда",
    "Exampleville": "Примероград",
    "The city wanted citizens to decide on part of the budget.": "Город хотел, чтобы граждане решали часть бюджета.",
    "Involve residents in spending decisions.": "Вовлечь жителей в решения о расходах.",
    "Proposals online, then a public vote.": "Предложения онлайн, затем общее голосование.",
    "Forty projects were funded.": "Профинансировано сорок проектов.",
    "PanEuropean eParticipation Manual editors": "Редакция руководства",
}
# An editor's change of the case's summary, after its translation.
NEW_SUMMARY = "Residents propose, debate and vote on projects for the city budget."


def fill_po(translation: Translation, mapping: dict[str, str]) -> polib.POFile:
    """Export the PO file, fill it like a translator (text file round trip), return the parsed file."""
    po = translation.export_po()
    for entry in po:
        if entry.msgctxt == "slug":
            entry.msgstr = entry.msgid
        elif not entry.msgstr:
            entry.msgstr = mapping[entry.msgid]
    return polib.pofile(str(po))


def submit_url(translation):
    return reverse("manual_translations:submit_for_review", args=[translation.pk])


def approve(client, moderator, page):
    page = Page.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    client.force_login(moderator)
    response = client.post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)))
    assert response.status_code == 302


def live_alias_case(ru, slug: str) -> CaseStudyPage:
    """A published English case with its live Russian alias, as the admin leaves them."""
    page = CaseStudyPageFactory(slug=slug)
    page.save_revision().publish()  # Wagtail publishes the aliases along with their source
    alias = CaseStudyPage.objects.get(translation_key=page.translation_key, locale=ru)
    assert alias.alias_of_id == page.pk and alias.live
    return page


def translate_in_admin(client, editor, page: Page, ru, django_capture_on_commit_callbacks) -> Page:
    """The editor's "Translate this page" -> Русский, through wagtail-localize's own admin view."""
    client.force_login(editor)
    url = reverse("wagtail_localize:submit_page_translation", args=[page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"locales": [ru.pk]}).status_code == 302
    client.logout()
    return Page.objects.get(translation_key=page.translation_key, locale=ru).specific
