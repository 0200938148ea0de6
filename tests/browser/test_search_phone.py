"""Search on a phone (390 x 844): the first result is on the first screen, above the folded filters'
content; the filter toggle and the "skip to results" link work with the keyboard alone; axe finds
nothing. On a wide screen the filters show without a toggle.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.support.browser import FACET_KEYS, LOCALES, axe_violations, describe_violations, result_count, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WORDS = {"en": "budget", "ru": "бюджет"}

FOCUSED = """() => {
    const el = document.activeElement;
    return el && el !== document.body
        ? {tag: el.tagName.toLowerCase(), name: el.name || "", type: el.type || "", text: el.textContent.trim()}
        : null;
}"""


def _phone_search(visit, locale: str, query: str = ""):
    page = visit.new_page(locale)
    page.set_viewport_size(PHONE)
    response = page.goto(f"/{locale}/search/?q={quote(WORDS[locale])}{query}")
    assert response is not None and response.status == 200
    return page


def _gettext(locale: str, message: str) -> str:
    with translation.override(locale):
        return translation.gettext(message)


def _tab_to(page, wanted, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies ``wanted``; its description."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and wanted(focused):
            return focused
        seen.append(focused)
    raise AssertionError(f"not reached with Tab in {limit} presses; focus went through {seen[:30]}")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_first_result_is_on_the_first_screen_of_a_phone(visit, locale):
    page = _phone_search(visit, locale)
    first = page.locator("ol.results > li.result").first
    expect(first).to_be_visible()
    screenshot(page, f"search-phone-{locale}")
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], (
        f"the first result ends at {box and box['y'] + box['height']} px, below the {PHONE['height']} px screen"
    )
    # The count, and the words it counts, are on that screen too.
    count = page.locator("#result-count")
    expect(count).to_contain_text(WORDS[locale])
    assert result_count(page) > 0
    assert count.bounding_box()["y"] < box["y"]
    # The filters are folded away behind their toggle.
    filters = page.locator("details.filters")
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(filters.locator("summary")).to_have_text(_gettext(locale, "Filters and sorting"))
    expect(filters.locator('input[type="checkbox"]').first).to_be_hidden()

    violations = axe_violations(page)
    assert violations == [], f"axe-core on the phone search ({locale}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_skip_link_and_the_filter_toggle_work_with_the_keyboard(visit, locale):
    page = _phone_search(visit, locale)
    skip = _gettext(locale, "Skip to results")
    _tab_to(page, lambda el: el["tag"] == "a" and el["text"] == skip)
    expect(page.get_by_role("link", name=skip)).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    # The next Tab goes to the first result, past the search form.
    focused = _tab_to(page, lambda el: el["tag"] == "a", limit=1)
    first_link = page.locator("ol.results > li.result").first.locator("a[href]").first
    assert focused["text"] == first_link.inner_text().strip()

    # From the top again: the toggle opens the filters, a checkbox is chosen, the form is sent.
    page.goto(page.url.split("#")[0])
    _tab_to(page, lambda el: el["tag"] == "summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    checkbox = _tab_to(page, lambda el: el["type"] == "checkbox" and el["name"] in FACET_KEYS)
    expect(page.locator(f'input[name="{checkbox["name"]}"]').first).to_be_visible()
    page.keyboard.press("Space")
    _tab_to(page, lambda el: el["type"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"[?&]{checkbox['name']}="))
    # Folded again after the search, saying how many filters are chosen.
    summary = page.locator("details.filters > summary")
    expect(summary).to_contain_text("1")
    expect(page.locator("details.filters")).not_to_have_attribute("open", re.compile(".*"))
    assert page.locator("ol.results > li.result").first.bounding_box()["y"] < PHONE["height"]


def test_a_wide_screen_shows_the_filters_without_a_toggle(open_page):
    page = open_page(f"/en/search/?q={WORDS['en']}", "en")
    expect(page.locator("details.filters > summary")).to_be_hidden()
    expect(page.locator('details.filters input[type="checkbox"]').first).to_be_visible()
    expect(page.locator("details.filters select[name='sort']")).to_be_visible()
