"""The app's side of the HTTP cache (docs/operations.md "HTTP cache"): Cache-Control, what a change
purges, and purges that never hold up a publication. The real Varnish: tests/test_http_cache.py."""

from __future__ import annotations

import http.server
import logging
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from wagtail.models import Page

from bench.slow_clients import free_port
from core.frontend_cache import VarnishBackend
from manual.models import ManualSectionPage, RelatedCase, Topic
from manual.services import frontend_cache as purges
from manual.services.frontend_cache import page_invalidations


class Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in for Varnish's purge listener: notes every request, answers 200."""

    seen: list[tuple[str, str, str]] = []

    def _note(self) -> None:
        self.seen.append((self.command, self.path, self.headers.get("X-Ban-Prefix", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PURGE = do_BAN = _note  # noqa: N815 - http.server's naming

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cache_url() -> Iterator[str]:
    Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    backends = {"varnish": {"BACKEND": "core.frontend_cache.VarnishBackend", "LOCATION": url, "TIMEOUT": 2}}
    with override_settings(FRONTEND_CACHE_URL=url, WAGTAILFRONTENDCACHE=backends):
        yield url
    server.shutdown()
    server.server_close()


def paths(urls: set[str]) -> set[str]:
    return {urlsplit(url).path for url in urls}


# --- Cache-Control -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/ru/", "/en/cases/", "/en/cases/?topic=budget"])
def test_reader_pages_are_public_for_a_shared_cache_only_when_one_is_configured(client, path, cache_url):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "public, max-age=0, s-maxage=600"
    with override_settings(FRONTEND_CACHE_URL=""):
        assert not client.get(path).has_header("Cache-Control"), "make run without a cache: as before"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-en.xml"])
def test_the_sitemap_keeps_its_own_max_age_and_a_shared_cache_keeps_it_until_purged(client, path, cache_url):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "public, max-age=300, s-maxage=600"
    with override_settings(FRONTEND_CACHE_URL=""):
        assert client.get(path)["Cache-Control"] == "public, max-age=300", "make run without a cache: as before"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/en/submit/", "/en/accessibility/feedback/", "/admin/login/", "/api/preview?token=x", "/"]
)
def test_pages_with_a_token_a_session_or_a_draft_are_never_cached(client, path, cache_url):
    answer = client.get(path)
    assert "private" in answer["Cache-Control"] and "no-store" in answer["Cache-Control"], path


@pytest.mark.django_db
def test_a_signed_in_editor_gets_private_reader_pages(client, cache_url, editor):
    client.force_login(editor)
    answer = client.get("/en/")
    assert "private" in answer["Cache-Control"]


@pytest.mark.django_db
def test_a_post_is_never_cached(client, cache_url):
    answer = client.post("/en/search/", {"q": "x"})
    assert "no-store" in answer["Cache-Control"]


# --- What a change purges ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_purges_its_translations_lists_home_and_the_cases_that_relate_to_it(en_cases):
    relation = RelatedCase.objects.filter(page__in=en_cases).select_related("case", "page").first()
    case, referrer = relation.case, relation.page
    urls, prefixes = page_invalidations(case)
    translations = Page.objects.filter(translation_key=case.translation_key)
    expected = {page.url for page in translations} | {"/en/", "/ru/", "/en/cases/", "/ru/cases/", referrer.url}
    assert expected <= paths(urls)
    assert {"/sitemap", "/api/v1/", "/en/search/", "/ru/search/"} <= prefixes
    assert "/en/" not in prefixes, "a case is not in every page's navigation"
    assert len(urls) < 20, "not the whole site"


@pytest.mark.django_db
def test_a_chapter_bans_its_locales_pages(django_assert_max_num_queries):
    chapter = ManualSectionPage.objects.live().filter(depth=3, locale__language_code="en").first()
    with django_assert_max_num_queries(12):
        _urls, prefixes = page_invalidations(chapter)
    assert {"/en/", "/ru/"} <= prefixes


@pytest.mark.django_db
def test_purges_go_out_after_commit_on_publication_and_label_change(
    cache_url, en_cases, django_capture_on_commit_callbacks
):
    case = en_cases.first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case.save_revision().publish()
        assert Recorder.seen == [], "nothing is sent before the commit"
    for callback in callbacks:
        callback()
    assert ("PURGE", case.url, "") in Recorder.seen
    assert ("BAN", "/", "/sitemap") in Recorder.seen

    Recorder.seen.clear()
    term = Topic.objects.filter(locale__language_code="ru").first()
    term.label = "Новая метка"
    with django_capture_on_commit_callbacks(execute=True):
        term.save()
    assert ("BAN", "/", "/ru/") in Recorder.seen
    assert ("BAN", "/", "/en/") not in Recorder.seen


@pytest.mark.django_db
def test_nothing_is_computed_without_a_cache(en_cases, django_assert_num_queries, django_capture_on_commit_callbacks):
    case = en_cases.first()
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        purges.page_changed(case)
    assert callbacks == []


def test_an_unreachable_cache_costs_one_short_timeout_and_a_log_line(caplog):
    closed = free_port()  # nothing listens there
    backend = VarnishBackend({"LOCATION": f"http://127.0.0.1:{closed}", "TIMEOUT": 0.5})
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="wagtail.frontendcache"):
        backend.purge_batch([f"http://localhost/en/cases/case-{n}/" for n in range(200)])
        backend.ban_prefixes(["/en/", "/sitemap"])
    assert time.monotonic() - started < 1.5
    assert len(caplog.records) == 2
    assert "did not answer" in caplog.records[0].getMessage()


def test_a_prefix_that_would_be_a_regular_expression_is_not_sent(cache_url, caplog):
    backend = VarnishBackend({"LOCATION": cache_url})
    with caplog.at_level(logging.ERROR, logger="wagtail.frontendcache"):
        backend.ban_prefixes(["/en/.*", "/ru/"])
    assert Recorder.seen == [("BAN", "/", "/ru/")]
    assert "unsafe prefix" in caplog.text


# --- The VCL -------------------------------------------------------------------------------------


def test_the_vcl_names_the_backend_host_purgers_and_never_cached_paths(capsys):
    call_command("varnish_vcl", "--backend", "unix:/run/manual/gunicorn.sock", "--host", "manual.example.org")
    vcl = capsys.readouterr().out
    assert '.path = "/run/manual/gunicorn.sock";' in vcl
    assert 'set req.http.Host = "manual.example.org";' in vcl
    assert '"127.0.0.1"/32;' in vcl and '"::1"/128;' in vcl
    assert "^/admin/|^/api/preview" in vcl
    assert "@" not in vcl.replace("@example", ""), "every placeholder is filled"


@pytest.mark.parametrize(
    "arguments",
    [["--backend", "nowhere"], ["--host", 'a"b'], ["--purger", "not-an-address"]],
)
def test_the_vcl_refuses_values_it_cannot_hold(arguments):
    with pytest.raises(CommandError):
        call_command("varnish_vcl", *arguments)
