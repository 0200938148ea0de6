"""An editor, a translator, a moderator and a visitor in a real browser: a translation is public only
once a moderator approved it (issue "The review promise holds", points 2, 3 and 11).

The editor starts the translation with wagtail-localize's own "Translate this page" form; the
visitor sees the English page marked as a fallback at the Russian URL; the translator's strings are
filled from a PO file (wagtail-localize's PO import, what "Upload PO file" runs) and the translator
presses "Submit for review", the primary button of the translation editor; the visitor still sees
the fallback; the moderator approves from the dashboard; only then the visitor reads Russian.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from wagtail.models import Page
from wagtail_localize.models import Translation

from manual.models import CaseStudyPage
from tests.support.browser import screenshot
from tests.support.factories import CaseStudyPageFactory
from tests.support.translations import RUSSIAN, fill_po

pytestmark = pytest.mark.browser


def log_in(visit, username: str):
    page = visit.new_page("en")
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def assert_visitor_sees_fallback(open_page, path: str) -> None:
    visitor = open_page(path, "ru")
    expect(visitor.locator("html")).to_have_attribute("lang", "ru")
    expect(visitor.locator(".notice--fallback")).to_be_visible()
    expect(visitor.locator("main")).to_have_attribute("lang", "en")
    expect(visitor.locator("h1")).to_have_text("Open budget of Exampleville")
    assert visitor.locator('head link[hreflang="ru"]').count() == 0


def test_a_translation_reaches_visitors_only_after_a_moderator_approved_it(
    visit, open_page, en, ru, editor, translator, moderator
):
    source = CaseStudyPageFactory(slug="browser-review-case")
    source.save_revision().publish()  # its Russian alias goes live with it, as in the admin
    russian_path = f"/ru/cases/{source.slug}/"
    assert_visitor_sees_fallback(open_page, russian_path)

    # The editor: "Translate this page" -> Русский.
    admin = log_in(visit, editor.username)
    admin.goto(f"/admin/localize/submit/page/{source.pk}/")
    admin.get_by_label("Русский").check()
    admin.get_by_role("button", name="Submit").click()
    admin.wait_for_load_state()
    target = CaseStudyPage.objects.get(translation_key=source.translation_key, locale=ru)
    assert target.alias_of_id is None
    assert_visitor_sees_fallback(open_page, russian_path)

    # The translator fills the strings (PO file) and submits the translation for review.
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=ru)
    assert translation.import_po(fill_po(translation, RUSSIAN), user=translator) == []
    # In the translation editor the translator's primary action is "Submit for review" (not
    # wagtail-localize's "Stop Synced translation"), and "Convert to alias page" is not offered.
    desk = log_in(visit, translator.username)
    desk.goto(f"/admin/pages/{target.pk}/edit/")
    actions = desk.locator(".js-translation-editor footer .w-dropdown-button").first
    primary = actions.locator(":scope > :first-child")
    expect(primary).to_have_text("Submit for review")
    assert desk.get_by_text("Convert to alias page").count() == 0
    screenshot(desk, "translation-editor-translator")
    primary.click()
    expect(desk.get_by_text("The translation was submitted for review.")).to_be_visible()
    assert Page.objects.get(pk=target.pk).workflow_in_progress
    assert_visitor_sees_fallback(open_page, russian_path)

    # The moderator approves from the dashboard's "Awaiting your review" panel.
    review = log_in(visit, moderator.username)
    approve = review.locator(
        f'button[data-workflow-action-url*="/action/{target.pk}/approve/"]:not([data-launch-modal])'
    )
    review.locator("td.actions-container", has=approve).get_by_role("button", name="Actions").click()
    approve.click()
    # The dashboard reloads without the page in its review panel once the approval is done.
    expect(review.locator(f'[data-workflow-action-url*="/action/{target.pk}/"]')).to_have_count(0)
    assert CaseStudyPage.objects.get(pk=target.pk).title == "Открытый бюджет Примерограда"

    visitor = open_page(russian_path, "ru")
    expect(visitor.locator("h1")).to_have_text("Открытый бюджет Примерограда")
    assert visitor.locator(".notice--fallback").count() == 0
    assert visitor.locator("main").get_attribute("lang") is None
    screenshot(visitor, "translation-approved-ru")
