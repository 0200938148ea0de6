"""A visitor in a real browser: reads a case in Russian and switches to English, searches and narrows
by a country, uses the filters with the keyboard alone, and sends the submission form after an error.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

from manual.models import CaseStudyIndexPage, CaseStudyPage
from submissions.models import Submission
from tests.support.browser import FACET_KEYS, label_count, live_pages, page_path, result_count, screenshot

pytestmark = pytest.mark.browser

ACTIVE_ELEMENT = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
    return {
        tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", value: el.value || "",
        label: label.replace(/\\s+/g, " ").trim(), checked: !!el.checked,
    };
}"""

# Visible focus: an outline (the browser's own focus ring included) or a box shadow on the focused
# control, on its label or on its wrapper.
FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const ring = (node) => {
        if (!node) return false;
        const style = getComputedStyle(node);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        return outline || (style.boxShadow && style.boxShadow !== "none");
    };
    return [el, ...(el.labels || []), el.parentElement].some(ring);
}"""


def _tab_until(page, wanted, key: str = "Tab", limit: int = 250) -> dict:
    """Press ``key`` until the focused element satisfies ``wanted``; its description."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        active = page.evaluate(ACTIVE_ELEMENT)
        if active and wanted(active):
            return active
        seen.append(active and f"{active['tag']}[name={active['name']}]")
    raise AssertionError(f"no wanted element reached with {key} in {limit} presses; focus went through {seen[:40]}")


def _results(page) -> list:
    return page.locator("ol.results > li.result").all()


def _result_paths(page) -> list[str]:
    return [urlsplit(item.locator("a[href]").first.get_attribute("href")).path for item in _results(page)]


# --- read a case in Russian, then in English ------------------------------------------------------


def test_a_case_reads_in_russian_and_the_language_switcher_leads_to_the_english_translation(open_page):
    ru_case = en_case = None
    for case in live_pages(CaseStudyPage, "ru"):
        translation_ = case.get_translations().live().filter(locale__language_code="en", alias_of__isnull=True)
        if translation_.exists():
            ru_case, en_case = case, translation_.get()
            break
    assert ru_case is not None, "the demo manual has a Russian case translated from English"

    page = open_page(page_path(ru_case), "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(ru_case.title)
    main = page.get_by_role("main")
    with translation.override("ru"):
        russian_labels = [str(ru_case.country.name), translation.gettext("Licence")]
    for label in russian_labels:
        assert re.search("[а-яё]", label, re.IGNORECASE), f"{label!r} is not translated into Russian"
        expect(main).to_contain_text(label)
    screenshot(page, "case-reading-ru")

    # The switcher in the header lists only translations that exist (never alias pages).
    existing = {
        page_path(translated): translated.locale.language_code
        for translated in ru_case.get_translations(inclusive=True).live().filter(alias_of__isnull=True)
    }
    with translation.override("ru"):
        languages = translation.gettext("Languages")
    switcher = page.get_by_role("banner").get_by_role("navigation", name=languages).locator("a[hreflang]")
    expect(switcher.first).to_be_visible()
    for link in switcher.all():
        path = urlsplit(link.get_attribute("href")).path
        assert existing.get(path) == link.get_attribute("hreflang"), (
            f"the language switcher links to {path} ({link.get_attribute('hreflang')}), not a translation; "
            f"translations: {existing}"
        )

    switcher.and_(page.locator('[hreflang="en"]')).click()
    page.wait_for_url(re.compile(re.escape(page_path(en_case)) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(en_case.title)
    expect(page.locator('header nav a[hreflang="ru"]')).to_have_attribute("href", re.compile(page_path(ru_case)))


# --- search and narrow by a country ----------------------------------------------------------------


def test_search_budget_in_russian_and_narrow_by_a_country(open_page):
    with translation.override("ru"):
        words, search = translation.gettext("Words to find"), translation.gettext("Search")
    page = open_page("/ru/search/", "ru")
    form = page.get_by_role("search")
    box = form.get_by_label(words)
    expect(box).to_have_attribute("name", "q")
    box.press_sequentially("бюджет")
    form.get_by_role("button", name=search, exact=True).click()
    page.wait_for_url(re.compile(r"[?&]q="))

    expect(page.get_by_role("search").get_by_label(words)).to_have_value("бюджет")
    assert _results(page), "no results for бюджет"
    total = result_count(page)
    assert total >= len(_results(page)) > 0
    screenshot(page, "search-budget-ru")

    # The country with the fewest results narrows the most.
    countries = page.get_by_role("search").locator('input[type="checkbox"][name="country"]')
    assert countries.count() > 0, "no country facet on the search page"
    options = []
    for checkbox in countries.all():
        label = checkbox.evaluate("el => el.labels.length ? el.labels[0].textContent : ''")
        options.append((label_count(label), checkbox.get_attribute("value"), checkbox))
    expected, code, checkbox = min(options, key=lambda option: option[0])
    checkbox.check()
    checkbox.locator("xpath=ancestor::form[1]").locator('button[type="submit"]').first.click()
    page.wait_for_url(re.compile(rf"[?&]country={code}(&|$)"))

    narrowed = result_count(page)
    assert narrowed <= total
    assert narrowed == expected, f"the facet label promised {expected} results for {code}, the page says {narrowed}"
    expect(page.locator(f'input[type="checkbox"][name="country"][value="{code}"]')).to_be_checked()
    assert parse_qs(urlsplit(page.url).query)["q"] == ["бюджет"]

    country_of = {page_path(case): case.country.code for case in CaseStudyPage.objects.live()}
    paths = _result_paths(page)
    assert 0 < len(paths) <= narrowed
    for item, path in zip(_results(page), paths, strict=True):
        marked = item.get_attribute("data-country")
        if marked:
            assert marked.upper() == code.upper(), f"{path} is from {marked}, not {code}"
        assert country_of.get(path) == code.upper(), f"result {path} is not a case from {code}"


# --- the case list's filters ------------------------------------------------------------------------


def test_the_case_list_narrows_by_a_topic(open_page):
    index = live_pages(CaseStudyIndexPage, "ru").first()
    page = open_page(page_path(index), "ru")
    total = result_count(page)
    assert total >= len(_results(page)) > 0

    topics = page.locator('main form[method="get"] input[type="checkbox"][name="topic"]')
    assert topics.count() > 0, "no topic filter on the case list"
    options = []
    for checkbox in topics.all():
        label = checkbox.evaluate("el => el.labels.length ? el.labels[0].textContent : ''")
        options.append((label_count(label), checkbox.get_attribute("value"), checkbox))
    expected, code, checkbox = min(options, key=lambda option: option[0])
    checkbox.check()
    checkbox.locator("xpath=ancestor::form[1]").locator('button[type="submit"]').first.click()
    page.wait_for_url(re.compile(rf"[?&]topic={re.escape(code)}(&|$)"))

    assert result_count(page) == expected < total
    topics_of = {
        page_path(case): set(case.topics.values_list("code", flat=True))
        for case in live_pages(CaseStudyPage, "ru").prefetch_related("topics")
    }
    for path in _result_paths(page):
        assert code in topics_of.get(path, set()), f"result {path} is not a Russian case about {code}"


# --- the filters with the keyboard alone --------------------------------------------------------


def test_the_search_filters_work_with_the_keyboard_alone(open_page):
    page = open_page("/en/search/", "en")
    _tab_until(page, lambda el: el["tag"] == "input" and el["name"] == "q")
    assert page.evaluate(FOCUS_VISIBLE), "the focused search field shows no focus"
    page.keyboard.type("budget")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=budget"))
    total = result_count(page)
    assert total > 1

    facet = _tab_until(
        page,
        lambda el: el["type"] == "checkbox" and el["name"] in FACET_KEYS and 0 < label_count(el["label"]) < total,
    )
    assert page.evaluate(FOCUS_VISIBLE), f"the focused checkbox {facet} shows no focus"
    page.keyboard.press("Space")
    assert page.evaluate(ACTIVE_ELEMENT)["checked"], "Space did not check the focused checkbox"

    # The submit button of the same form, forward or backward in the tab order.
    page.evaluate("() => { window.__facetForm = document.activeElement.form; }")
    button_follows = page.evaluate(
        """() => {
            const button = window.__facetForm.querySelector('button[type="submit"], input[type="submit"]');
            return !!(document.activeElement.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    _tab_until(
        page,
        lambda el: el["type"] == "submit" and page.evaluate("() => document.activeElement.form === window.__facetForm"),
        key="Tab" if button_follows else "Shift+Tab",
    )
    assert page.evaluate(FOCUS_VISIBLE), "the focused submit button shows no focus"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"[?&]{facet['name']}={re.escape(facet['value'])}(&|$)"))

    narrowed = result_count(page)
    assert narrowed < total
    assert narrowed == label_count(facet["label"]), f"{facet['label']!r} promised a different count than {narrowed}"
    expect(page.locator(f'input[name="{facet["name"]}"][value="{facet["value"]}"]')).to_be_checked()
    screenshot(page, "search-keyboard-en")


# --- the submission form: an error, then corrected -------------------------------------------------


def _fill_submission(page, email: str) -> None:
    form = page.locator("main form[method='post']")
    texts = {
        "title": "Neighbourhood budget of Tartu",
        "summary": "Residents of Tartu propose and vote on small projects for their neighbourhoods.",
        "organisation": "City of Tartu",
        "city": "Tartu",
        "start_year": "2013",
        "end_year": "2023",
        "body_context": "Tartu wanted residents to shape spending.",
        "body_objectives": "Involve residents in real budget decisions.",
        "body_approach": "Proposals online, then a public vote.",
        "body_results": "Thousands of votes every year.",
        "contact_name": "Mari Maasikas",
        "contact_email": email,
    }
    for name, value in texts.items():
        form.locator(f'[name="{name}"]').fill(value)
    selects = {
        "country": "EE",
        "government_level": "local",
        "participation_level": "empower",
        "initiative_status": "completed",
    }
    for name, value in selects.items():
        form.locator(f'select[name="{name}"]').select_option(value)
    for name, value in (("stages", "decision"), ("topics", "budget"), ("tools", "participatory-budgeting")):
        form.locator(f'input[name="{name}"][value="{value}"]').check()
    form.locator('input[name="consent_terms"]').check()


def test_the_submission_form_shows_an_error_by_its_field_then_takes_the_corrected_case(open_page, settings):
    settings.SUBMISSIONS_FORM_MIN_SECONDS = 0
    settings.SUBMISSIONS_RATE_LIMIT = 0
    page = open_page("/en/submit/", "en")
    _fill_submission(page, email="mari-at-example.org")
    with translation.override("en"):
        send = translation.gettext("Send the case")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=send, exact=True).click()
    assert sent.value.status == 400

    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    with translation.override("en"):
        message = translation.gettext("Enter a valid e-mail address.")
    with translation.override("en"):
        email = page.get_by_label(translation.gettext("Your e-mail address"))
    expect(email).to_have_attribute("name", "contact_email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(re.escape(message)))
    expect(alert.locator('a[href="#id_contact_email"]')).to_contain_text(message)
    # What was typed is kept.
    expect(email).to_have_value("mari-at-example.org")
    expect(page.locator('[name="title"]')).to_have_value("Neighbourhood budget of Tartu")
    expect(page.locator('select[name="country"]')).to_have_value("EE")
    expect(page.locator('input[name="topics"][value="budget"]')).to_be_checked()
    expect(page.locator('input[name="consent_terms"]')).to_be_checked()
    screenshot(page, "submit-error-en")

    # Corrected, the case goes through.
    email.fill("mari@example.org")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=send, exact=True).click()
    assert sent.value.status == 200
    landed = re.search(r"/en/submit/status/([0-9a-f-]{36})/\?token=", page.url)
    assert landed, page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert Submission.objects.get(pk=landed.group(1)).title == "Neighbourhood budget of Tartu"
    screenshot(page, "submit-status-en")
