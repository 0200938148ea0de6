"""axe-core on every page type in every locale: its whole default rule set, nothing disabled, zero
violations. Each page is also saved as var/screenshots/<page-type>-<locale>.png.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from core import ratelimit
from manual.models import CaseStudyIndexPage, CaseStudyPage, ManualSectionPage
from submissions.services import intake
from tests.support.browser import LOCALES, axe_violations, describe_violations, live_pages, page_path, screenshot
from tests.support.submissions import valid_payload

pytestmark = pytest.mark.browser

SEARCH_WORDS = {"en": "budget", "ru": "бюджет"}


def _first(model, locale: str) -> str:
    page = live_pages(model, locale).first()
    assert page is not None, f"the demo manual has no {model.__name__} in {locale}"
    return page_path(page)


def _search(open_page, locale):
    page = open_page(f"/{locale}/search/?q={quote(SEARCH_WORDS[locale])}", locale)
    expect(page.locator("ol.results > li.result").first).to_be_visible()
    return page


def _submit_with_errors(open_page, locale):
    page = open_page(f"/{locale}/submit/", locale)
    page.locator("main form[method='post'] input[name='title']").fill("Tartu")
    with page.expect_navigation() as sent:
        page.locator("main form[method='post'] button[type='submit']").click()
    assert sent.value.status == 400
    expect(page.get_by_role("alert")).to_be_visible()
    return page


def _submission_status(open_page, locale):
    document = valid_payload(locale=locale)
    result = intake.submit(
        intake.SubmissionRequest(
            document=document,
            raw_document=json.dumps(document).encode(),
            fingerprint=f"browser-tests-{locale}",
        ),
        ratelimit.RateDecision(True),  # made by code: no client to count (intake.admit)
        channel="api",
    )
    return open_page(f"/{locale}/submit/status/{result.submission.pk}/?token={result.status_token}", locale)


PAGE_TYPES = {
    "home": lambda open_page, locale: open_page(f"/{locale}/", locale),
    "section": lambda open_page, locale: open_page(_first(ManualSectionPage, locale), locale),
    "case": lambda open_page, locale: open_page(_first(CaseStudyPage, locale), locale),
    "case-list": lambda open_page, locale: open_page(_first(CaseStudyIndexPage, locale), locale),
    "search": _search,
    "submit": lambda open_page, locale: open_page(f"/{locale}/submit/", locale),
    "submit-errors": _submit_with_errors,
    "submission-status": _submission_status,
    "accessibility": lambda open_page, locale: open_page(f"/{locale}/accessibility/", locale),
    "feedback": lambda open_page, locale: open_page(f"/{locale}/accessibility/feedback/", locale),
    "privacy": lambda open_page, locale: open_page(f"/{locale}/privacy/", locale),
    "not-found": lambda open_page, locale: open_page(f"/{locale}/no-such-page-here/", locale, status=404),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_axe_finds_no_violation(page_type, locale, open_page, visit, settings):
    settings.SUBMISSIONS_FORM_MIN_SECONDS = 0
    settings.SUBMISSIONS_RATE_LIMIT = 0
    page = PAGE_TYPES[page_type](open_page, locale)
    screenshot(page, f"{page_type}-{locale}")

    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} violation(s) on {page_type} ({locale}) {page.url}:\n"
        + describe_violations(violations)
    )
    expect(page.locator("html")).to_have_attribute("lang", locale)
    assert not visit.external_requests, f"{page_type} ({locale}) asked third parties: {visit.external_requests}"
    assert not visit.server_errors, f"{page_type} ({locale}): {visit.server_errors}"
