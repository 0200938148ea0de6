"""The map of the cases in a real browser: axe in every interface language, a case reached from its
point with the keyboard alone, and the filters without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from manual.services.locales import sync_locales
from tests.support.browser import axe_violations, describe_violations, label_count, screenshot

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {tag: el.tagName.toLowerCase(), cls: el.getAttribute("class") || "", href: el.getAttribute("href") || ""};
}"""

# Visible focus on a map point: an outline on the link, or the ring its circle gets (manual.css).
POINT_FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const link = getComputedStyle(el);
    const circle = getComputedStyle(el.querySelector("circle"));
    return (link.outlineStyle !== "none" && parseFloat(link.outlineWidth) > 0) || parseFloat(circle.strokeWidth) >= 4;
}"""


@pytest.fixture
def four_locales(db, settings):
    """The manual in English, Russian, German and French: the interface's four catalogues."""
    settings.MANUAL_LOCALES = ["en", "ru", "de", "fr"]
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [
        ("en", "English"),
        ("ru", "Русский"),
        ("de", "Deutsch"),
        ("fr", "Français"),
    ]
    sync_locales()


@pytest.mark.parametrize("locale", ["en", "ru", "de", "fr"])
def test_axe_finds_no_violation_on_the_map(locale, four_locales, open_page, visit):
    page = open_page(f"/{locale}/map/", locale)
    expect(page.locator("a.map-point").first).to_be_attached()
    screenshot(page, f"map-{locale}")
    violations = axe_violations(page)
    assert not violations, f"axe-core on /{locale}/map/:\n" + describe_violations(violations)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    assert not visit.external_requests, visit.external_requests
    assert not visit.server_errors, visit.server_errors


def test_a_case_point_is_reached_with_tab_and_opened_with_enter(open_page):
    page = open_page("/ru/map/", "ru")
    for _ in range(250):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and "map-point" in focused["cls"]:
            break
    else:
        raise AssertionError("no map point is reachable with Tab")
    assert page.evaluate(POINT_FOCUS_VISIBLE), "the focused point shows no focus"
    name = page.evaluate("() => document.activeElement.querySelector('title').textContent")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == focused["href"]
    expect(page.locator("h1")).to_have_text(name)


def test_the_map_filters_without_javascript(visit):
    context = visit.browser.new_context(base_url=visit.base_url, locale="ru", java_script_enabled=False)
    visit.contexts.append(context)
    page = context.new_page()
    page.goto("/ru/map/")
    every = page.locator("ul.map-case-list > li").count()
    checkbox = page.locator('input[name="country"]').first
    code = checkbox.get_attribute("value")
    promised = label_count(page.locator(f'label[for="map-country-{code}"]').text_content())
    assert 0 < promised < every
    checkbox.check()
    with page.expect_navigation():
        page.locator("form.search-form button[type='submit']").click()
    assert re.search(rf"[?&]country={code}(&|$)", page.url)
    expect(page.locator("ul.map-case-list > li")).to_have_count(promised)
    expect(page.locator('input[name="country"][value="' + code + '"]')).to_be_checked()
    expect(page.locator("ul.map-country-counts > li")).to_have_count(1)
