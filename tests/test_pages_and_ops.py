"""Reader pages, operations endpoints, sitemap and redirects."""

import importlib.util
import logging
from unittest import mock

import pytest

from manual.models import CaseStudyPage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "lang"), [("/en/", "en"), ("/ru/", "ru"), ("/en/cases/", "en"), ("/ru/cases/", "ru")])
def test_locale_pages_render(client, path, lang):
    response = client.get(path)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_case_page_links_its_translation_with_hreflang(client, en, ru):
    case = CaseStudyPage.objects.filter(locale=ru).first()
    html = client.get(case.url).content.decode()
    assert case.title.replace("'", "&#x27;") in html
    assert 'hreflang="en"' in html


def test_admin_login_page(client):
    assert client.get("/admin/login/").status_code == 200


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["ok"] is True


def test_readiness_reports_an_unreachable_search_engine(client, settings):
    settings.SEARCH_URL = "http://127.0.0.1:9"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["search"]["ok"] is False


def test_sitemap_lists_pages_with_hreflang_alternates(client):
    # The index names a part per locale (tests/test_seo.py tests the index and parts in detail).
    assert "/sitemap-en.xml" in client.get("/sitemap.xml").content.decode()
    xml = client.get("/sitemap-en.xml").content.decode()
    assert "/en/cases/decide-madrid/" in xml
    assert 'hreflang="ru"' in xml and "/ru/cases/decide-madrid/" in xml


def test_changing_a_slug_redirects_the_old_url(client, en, django_capture_on_commit_callbacks):
    case = CaseStudyPage.objects.get(locale=en, slug="decide-madrid")
    old_url = case.url
    case.slug = "decide-madrid-portal"
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail signals slug changes on commit
        case.save_revision().publish()
    response = client.get(old_url)
    assert response.status_code == 301 and response.headers["Location"].endswith("/en/cases/decide-madrid-portal/")


@pytest.mark.django_db
def test_gunicorn_start_leaves_no_database_connection_for_the_workers_to_share():
    """Workers fork from the master: a connection the master kept open would be shared by all."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", "site_config/gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)

    class Server:
        log = logging.getLogger("gunicorn.test")

    calls = []
    with (
        mock.patch(
            "manual.services.locales.sync_locales",
            side_effect=lambda: calls.append("sync") or mock.Mock(locales=["en"]),
        ),
        mock.patch("django.db.connections.close_all", side_effect=lambda: calls.append("close")),
    ):
        conf.on_starting(Server())
    assert calls == ["sync", "close"], "connections are closed after the master used the database"
