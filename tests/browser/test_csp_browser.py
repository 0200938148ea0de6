"""The Content-Security-Policy in a real browser: nothing the pages need is refused.

The other browser tests inject axe-core and so bypass the CSP; here the browser enforces it, and
every "Refused to ..." report (Chromium logs each violation on the console) fails the test: on the
reader's pages (strict policy), the API's Swagger page, and the Wagtail admin (its looser policy).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from manual.models import CaseStudyPage
from tests.support.browser import page_path

pytestmark = pytest.mark.browser


def _enforcing_page(visit, violations: list[str]):
    context = visit.browser.new_context(base_url=visit.base_url, locale="en", service_workers="block")
    visit.contexts.append(context)
    host = urlsplit(visit.base_url).netloc
    context.route(
        "**/*",
        lambda route: route.abort() if urlsplit(route.request.url).netloc not in {host, ""} else route.continue_(),
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def test_reader_pages_and_the_api_docs_work_under_the_strict_policy(visit):
    violations: list[str] = []
    page = _enforcing_page(visit, violations)
    case = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True).first()
    for path in ("/en/", page_path(case), "/en/search/?q=budget", "/en/submit/", "/en/accessibility/"):
        response = page.goto(path)
        assert response.status == 200, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # The honeypot's styles come from the style sheet now: still off-screen.
    assert page.goto("/en/submit/").ok
    assert page.locator(".hp").bounding_box()["x"] < -1000
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []


def test_the_wagtail_admin_works_under_its_own_policy(visit, editor):
    violations: list[str] = []
    page = _enforcing_page(visit, violations)
    page.goto("/admin/login/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    case = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True).first()
    response = page.goto(f"/admin/pages/{case.pk}/edit/")
    assert response.status == 200
    assert "'unsafe-inline'" in response.headers["content-security-policy"]
    expect(page.locator("#id_title")).to_have_value(case.title)
    page.wait_for_load_state("networkidle")
    assert violations == []
