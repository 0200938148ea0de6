"""``core.sites``: the site Wagtail would choose for every host and port, found by the middleware
before anything asks (Wagtail's serving, the chrome's navigation, the API's URLs)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname

from core.sites import home_in_language, site_for

pytestmark = pytest.mark.django_db


def wagtails_choice(hostname: str, port: int) -> Site | None:
    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


HOSTS = [
    ("testserver", 80),
    ("localhost", 8000),
    ("manual.example.eu", 443),
    ("manual.example.eu", 80),
    ("other.example.eu", 80),
    ("unknown.example", 8080),
]


def test_the_same_site_as_wagtail_for_every_host_and_port():
    default = Site.objects.get(is_default_site=True)
    root = default.root_page
    choices = [[wagtails_choice(*host) for host in HOSTS]]
    assert [site_for(*host) for host in HOSTS] == choices[0]
    Site.objects.create(hostname="manual.example.eu", port=443, root_page=root, site_name="TLS")
    Site.objects.create(hostname="manual.example.eu", port=80, root_page=root, site_name="Plain")
    Site.objects.create(hostname="other.example.eu", port=8000, root_page=root, site_name="Other")
    assert [site_for(*host) for host in HOSTS] == [wagtails_choice(*host) for host in HOSTS]
    assert site_for("manual.example.eu", 443).site_name == "TLS"
    Site.objects.filter(pk=default.pk).update(is_default_site=False)
    assert [site_for(*host) for host in HOSTS] == [wagtails_choice(*host) for host in HOSTS]
    assert site_for("unknown.example", 8080) is None


def test_a_reader_page_reads_the_site_once_with_its_root_page(client, monkeypatch):
    def not_asked(*args):
        raise AssertionError("Wagtail's own lookup ran: the middleware found no site first")

    monkeypatch.setattr("wagtail.models.sites.get_site_for_hostname", not_asked)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/")
    assert response.status_code == 200
    # The lookup by host (Wagtail's root paths, cached across requests, are another read).
    site_reads = [
        query["sql"] for query in queries if 'FROM "wagtailcore_site"' in query["sql"] and "CASE" in query["sql"]
    ]
    assert len(site_reads) == 1 and 'INNER JOIN "wagtailcore_page"' in site_reads[0]  # root page joined
    assert response.wsgi_request._wagtail_site == Site.objects.get(is_default_site=True)
    assert isinstance(response.wsgi_request._wagtail_site.root_page, Page)


@pytest.mark.parametrize("port", ["abc", "99999999999999999999999", "0"])
def test_a_port_that_is_no_tcp_port_is_left_to_wagtail(client, port):
    response = client.get("/en/", SERVER_PORT=port)
    assert response.status_code in (200, 400, 404)  # Wagtail's answer: never a server error


@pytest.mark.parametrize("language", [*settings.MANUAL_LOCALES, "de"])
def test_the_home_in_each_language_is_wagtails_localized_root(language):
    root = Site.objects.get(is_default_site=True).root_page
    with translation.override(language):
        expected = Page.objects.get(pk=root.pk).localized.specific
        found = home_in_language(Page.objects.get(pk=root.pk))
    assert (type(found), found.pk) == (type(expected), expected.pk)


def test_a_home_translation_that_is_not_live_is_not_the_home(ru):
    root = Site.objects.get(is_default_site=True).root_page
    russian = root.get_translation(ru)
    Page.objects.filter(pk=russian.pk).update(live=False)
    with translation.override("ru"):
        assert home_in_language(Page.objects.get(pk=root.pk)).pk == root.pk == Page.objects.get(pk=root.pk).localized.pk
