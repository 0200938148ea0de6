"""Content-Security-Policy (site_config.csp): strict on reader pages, looser in the Wagtail admin."""

from __future__ import annotations

import base64
import hashlib
import re
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.http import HttpResponse
from django.test import Client

from manual.models import CaseStudyPage
from site_config.csp import PathPolicyCSPMiddleware, admin_policy, reader_policy
from site_config.settings import BASE_DIR

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _reader_paths() -> list[str]:
    case = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True).first()
    return ["/en/", case.url, "/ru/", "/en/search/?q=budget", "/en/submit/", "/en/accessibility/", "/en/privacy/"]


def test_reader_pages_get_the_strict_policy_and_hold_no_inline_code(client):
    for path in _reader_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"], path
        assert "'unsafe-inline'" not in policy["style-src"] and policy["frame-ancestors"] == ["'none'"], path
        # What the policy would refuse must not be in the page: it is documented to work without JS.
        soup = BeautifulSoup(response.content, "html.parser")
        # A data block (a case's schema.org JSON-LD) is never run: the policy has nothing to refuse in it.
        code = [s for s in soup.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
        assert not code, path
        assert not soup.find_all("style") and not soup.find_all(style=True), path
        handlers = [(tag.name, name) for tag in soup.find_all(True) for name in tag.attrs if name.startswith("on")]
        assert handlers == [], path


def test_the_admin_gets_its_looser_policy(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"], "no third-party source in the admin either"


def test_the_admin_frames_the_external_preview_front_end_when_one_is_set():
    policy = admin_policy(reader_policy(BASE_DIR), "https://front.example.org/preview/")
    assert policy["frame-src"] == ["'self'", "https://front.example.org"]


def test_the_api_docs_page_loads_only_local_files_under_the_strict_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and _policy(response)["script-src"] == ["'self'"]
    soup = BeautifulSoup(response.content, "html.parser")
    sources = [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link"])]
    assert all(source.startswith("/static/") for source in sources if source), sources
    # The one inline <script> is a JSON data block, which a browser never runs.
    assert [s.get("type") for s in soup.find_all("script") if not s.get("src")] == ["application/json"]


def test_the_server_error_page_keeps_its_inline_style_through_a_hash(settings):
    with mock.patch("submissions.views.status.find_for_token", side_effect=RuntimeError("boom")):
        response = Client(raise_request_exception=False).get(f"/en/submit/status/{'0' * 8}-0000-0000-0000-{'0' * 12}/")
    assert response.status_code == 500
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _policy(response)["style-src"]


def test_the_captcha_widget_s_hosts_are_allowed_on_the_form_only(client, settings):
    settings.SUBMISSIONS_CAPTCHA_VERIFIER = "submissions.services.captcha.HCaptcha"
    settings.SUBMISSIONS_CAPTCHA_SITE_KEY = "10000000-ffff-ffff-ffff-000000000001"
    form = _policy(client.get("/en/submit/"))
    assert "https://*.hcaptcha.com" in form["script-src"] and "https://*.hcaptcha.com" in form["frame-src"]
    assert "https://*.hcaptcha.com" not in _policy(client.get("/en/"))["script-src"]


def test_a_response_with_its_own_policy_keeps_it(client, settings):
    """The sandboxed files of submissions set their own header (submissions.admin_views)."""
    own = HttpResponse("file")
    own["Content-Security-Policy"] = "default-src 'none'; sandbox"
    request = Client().get("/en/").wsgi_request
    answer = PathPolicyCSPMiddleware(lambda request: own)(request)
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
