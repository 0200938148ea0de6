"""The CAPTCHA hook (a pluggable verifier) and hCaptcha's server-side check behind a fake HTTP opener."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse

import pytest
from django.test import RequestFactory, override_settings

from core import ratelimit
from submissions.models import Submission
from submissions.services import captcha, intake
from submissions.services.captcha import CaptchaResult, CaptchaVerifier, HCaptcha, check_captcha
from submissions.services.validate import SubmissionInvalid
from tests.support.submissions import FORM, form_data, post_json, valid_payload


class RefuseUnlessMagic(CaptchaVerifier):
    """A test verifier: accepts the token ``magic`` only."""

    field_name = "test-captcha"

    def widget_html(self, request) -> str:
        return '<input type="hidden" name="test-captcha" value="">'

    def verify(self, request, data) -> CaptchaResult:
        return CaptchaResult(self.token(request, data) == "magic", "wrong")


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FakeOpener:
    def __init__(self, answer=None, error: Exception | None = None) -> None:
        self.answer, self.error, self.requests = answer, error, []

    def __call__(self, request, timeout=None):
        self.requests.append((request, timeout))
        if self.error:
            raise self.error
        return FakeResponse(json.dumps(self.answer).encode())


@pytest.fixture
def rf():
    return RequestFactory()


def test_the_default_accepts_everything_and_adds_nothing_to_the_form(rf):
    request = rf.post("/en/submit/")
    assert captcha.captcha_widget(request) == ""
    check_captcha(request, {})  # no exception


@override_settings(SUBMISSIONS_CAPTCHA_VERIFIER="tests.test_submissions_captcha.RefuseUnlessMagic")
def test_a_configured_verifier_is_used_by_the_hook(rf):
    request = rf.post("/en/submit/")
    assert 'name="test-captcha"' in captcha.captcha_widget(request)
    with pytest.raises(SubmissionInvalid) as refused:
        check_captcha(request, {"test-captcha": "nope"})
    assert refused.value.status == 400
    assert refused.value.as_body() == {
        "errors": [{"field": "captcha", "code": "captcha_failed", "message": refused.value.errors[0].message}]
    }
    check_captcha(request, {"test-captcha": "magic"})
    # API clients send the token in a header.
    check_captcha(rf.post("/api/v1/submissions", HTTP_CAPTCHA_RESPONSE="magic"), {})


def test_hcaptcha_posts_the_token_to_siteverify(rf):
    opener = FakeOpener({"success": True})
    verifier = HCaptcha(site_key="site-1", secret="secret-1", opener=opener)
    assert verifier.verify(rf.post("/"), {"h-captcha-response": "token-1"}) == CaptchaResult(True)
    [(request, timeout)] = opener.requests
    assert request.full_url == "https://api.hcaptcha.com/siteverify" and request.get_method() == "POST"
    assert urllib.parse.parse_qs(request.data.decode()) == {
        "secret": ["secret-1"],
        "response": ["token-1"],
        "sitekey": ["site-1"],
    }
    assert timeout == 5
    assert 'data-sitekey="site-1"' in verifier.widget_html(rf.get("/"))


def test_hcaptcha_refusals(rf):
    request = rf.post("/")
    refused = HCaptcha("k", "s", opener=FakeOpener({"success": False, "error-codes": ["invalid-input-response"]}))
    assert refused.verify(request, {"h-captcha-response": "x"}) == CaptchaResult(False, "invalid-input-response")
    opener = FakeOpener({"success": True})
    assert HCaptcha("k", "s", opener=opener).verify(request, {}) == CaptchaResult(False, "missing-input-response")
    assert opener.requests == [], "no token: nothing sent"
    down = HCaptcha("k", "s", opener=FakeOpener(error=urllib.error.URLError("no route")))
    assert down.verify(request, {"h-captcha-response": "x"}) == CaptchaResult(False, "unavailable"), "fails closed"
    garbage = HCaptcha("k", "s", opener=FakeOpener(["not", "an", "object"]))
    assert not garbage.verify(request, {"h-captcha-response": "x"}).ok


@override_settings(
    SUBMISSIONS_CAPTCHA_VERIFIER="submissions.services.captcha.HCaptcha",
    SUBMISSIONS_CAPTCHA_SITE_KEY="site",
    SUBMISSIONS_CAPTCHA_SECRET="secret",
)
def test_hcaptcha_configured_by_settings_refuses_without_a_token(rf):
    with pytest.raises(SubmissionInvalid):
        check_captcha(rf.post("/"), {})


@pytest.mark.django_db
@override_settings(SUBMISSIONS_CAPTCHA_VERIFIER="tests.test_submissions_captcha.RefuseUnlessMagic")
def test_the_form_and_the_api_refuse_a_failed_captcha_and_store_nothing(client):
    assert 'name="test-captcha"' in client.get(FORM).content.decode()
    response = client.post(FORM, form_data(**{"test-captcha": "nope"}))
    assert response.status_code == 400
    assert "the CAPTCHA check failed" in response.content.decode()
    assert 'value="Neighbourhood budget of Tartu"' in response.content.decode(), "what was typed is kept"
    response = post_json(client, valid_payload())
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "captcha"
    assert not Submission.objects.exists()

    assert post_json(client, valid_payload(), **{"Captcha-Response": "magic"}).status_code == 201
    assert client.post(FORM, form_data(**{"test-captcha": "magic"})).status_code == 303
    assert Submission.objects.count() == 2


@pytest.mark.django_db
@override_settings(SUBMISSIONS_CAPTCHA_VERIFIER="tests.test_submissions_captcha.RefuseUnlessMagic")
def test_intake_takes_the_captcha_as_a_step_of_the_channel(rf):
    """The public channels take the CAPTCHA inside intake, before a replayed key is looked up."""
    assert intake.Channel.FORM.needs_captcha and intake.Channel.API.needs_captcha
    assert not intake.Channel.IMPORT.needs_captcha, "the editors' import is not challenged"
    incoming = intake.SubmissionRequest(
        document=valid_payload(), raw_document=b"", fingerprint="f" * 64, idempotency_key="key-1"
    )
    for channel in (intake.Channel.FORM, intake.Channel.API):
        with pytest.raises(SubmissionInvalid) as refused:
            intake.submit(incoming, ratelimit.RateDecision(True), channel=channel, request=rf.post("/"))
        assert [error.field for error in refused.value.errors] == ["captcha"]
    assert not Submission.objects.exists()
    answered = rf.post("/", HTTP_CAPTCHA_RESPONSE="magic")
    assert intake.submit(incoming, ratelimit.RateDecision(True), channel=intake.Channel.API, request=answered)
    assert Submission.objects.count() == 1
