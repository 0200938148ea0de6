"""A visitor finds the open data from the reader: the footer's link, the data page (axe: no violation,
in every locale), a download and the feed it announces."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from opendata.services.dumps import export_cases
from tests.support.browser import LOCALES, axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def exported(tmp_path):
    with override_settings(OPEN_DATA_DIR=tmp_path / "exports"):
        export_cases()
        yield


@pytest.mark.parametrize("locale", LOCALES)
def test_a_visitor_reaches_the_data_page_from_the_footer_and_downloads_the_csv(locale, open_page, visit, exported):
    page = open_page(f"/{locale}/", locale)
    page.locator(f"footer a[href='/{locale}/data/']").click()
    expect(page).to_have_url(f"{visit.base_url}/{locale}/data/")
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == locale

    violations = axe_violations(page)
    screenshot(page, f"data-{locale}")
    assert not violations, f"axe found violations on /{locale}/data/:\n{describe_violations(violations)}"

    download = page.locator("main a[href='/api/v1/export/cases.csv']")
    expect(download).to_be_visible()
    answer = page.request.get(download.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    assert {row["locale"] for row in rows} == set(LOCALES)

    feed = page.request.get(page.locator("main a[type='application/atom+xml']").get_attribute("href"))
    assert feed.status == 200 and "<feed" in feed.text()
    assert not visit.external_requests and not visit.server_errors
