"""Page URLs in bulk (manual.services.page_urls) are the URLs Wagtail's own ``get_url`` gives."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Locale, Page, Site

from manual.models import CaseStudyIndexPage, CaseStudyPage
from manual.services.page_urls import BulkUrls


@pytest.fixture(autouse=True)
def an_alias(db):
    """An untranslated case's alias in the Russian tree (where wagtail-localize puts a stand-in)."""
    case = CaseStudyPage.objects.filter(locale__language_code="en").order_by("path").last()
    index = CaseStudyIndexPage.objects.get(locale__language_code="ru")
    case.create_alias(parent=index, update_locale=Locale.objects.get(language_code="ru"), update_slug="alias-of-a-case")


def every_page() -> list[Page]:
    pages = list(Page.objects.filter(depth__gt=1).specific().order_by("path"))
    assert any(page.alias_of_id for page in pages)
    assert {page.locale.language_code for page in pages} >= {"en", "ru"}
    return pages


def assert_same_urls(request) -> None:
    urls = BulkUrls(request)
    for page in every_page():
        assert urls.url(page) == page.get_url(request), page.url_path


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["testserver", "elsewhere.example"])
def test_bulk_urls_are_wagtails_for_every_page_in_every_locale(host, settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert_same_urls(RequestFactory().get("/", HTTP_HOST=host))
    assert_same_urls(None)


@pytest.mark.django_db
def test_bulk_urls_under_another_active_language():
    with translation.override("ru"):
        assert_same_urls(RequestFactory().get("/ru/"))


@pytest.fixture
def second_site(db):
    """A site whose root is the English case index; Wagtail's cached root paths do not roll back."""
    index = CaseStudyIndexPage.objects.get(locale__language_code="en")
    Site.objects.create(hostname="cases.example", port=443, root_page=index, is_default_site=False)
    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()


@pytest.mark.usefixtures("second_site")
def test_bulk_urls_with_several_sites_are_full_urls_off_the_requests_site(settings):
    settings.ALLOWED_HOSTS = ["*"]
    case = CaseStudyPage.objects.filter(locale__language_code="en").order_by("path").first()
    for host in ("testserver", "cases.example"):
        request = RequestFactory().get("/", HTTP_HOST=host)
        assert_same_urls(request)
    # The case is under both sites' roots: each host gets its own site's URL, relative.
    assert BulkUrls(RequestFactory().get("/", HTTP_HOST="cases.example")).url(case).startswith("/en/")


@pytest.mark.django_db
def test_a_slug_out_of_ascii_is_quoted_as_reverse_quotes_it():
    case = CaseStudyPage.objects.filter(locale__language_code="ru").order_by("path").first()
    case.url_path = case.get_parent().url_path + "бюджет-участия/"
    request = RequestFactory().get("/")
    assert BulkUrls(request).url(case) == case.get_url(request)
    assert "%D0%B1" in BulkUrls(request).url(case)
    case.url_path = case.get_parent().url_path + "a b/"  # what the route refuses goes to Wagtail
    assert BulkUrls(request).url(case) == case.get_url(request) is None
