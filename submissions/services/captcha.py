"""The CAPTCHA hook of the submission form and the API: a pluggable verifier.

``SUBMISSIONS_CAPTCHA_VERIFIER`` names a ``CaptchaVerifier`` class (dotted path). The default,
``NoCaptcha``, accepts everything and puts nothing into the form. ``HCaptcha`` checks hCaptcha's
token on the server (a POST to its ``siteverify`` URL with ``SUBMISSIONS_CAPTCHA_SECRET``); its
widget needs ``SUBMISSIONS_CAPTCHA_SITE_KEY`` and loads hCaptcha's script from hCaptcha (the only
third-party resource of the form, and only when configured). Any other provider is a subclass with
``widget_html`` and ``verify``.

The token comes from the form field the provider's widget fills (``h-captcha-response``), or, for
API clients, from the ``Captcha-Response`` header. ``check_captcha(request, data)`` raises the
submission's validation error (400, field ``captcha``, code ``captcha_failed``) when the verifier
refuses, so the form shows it like any field error and the API answers it in its error list.
Intake runs it as a step of the channels that need it (``intake.Channel``): callers do not.
See docs/personal-data.md "CAPTCHA".
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from submissions.services.validate import FieldError, SubmissionInvalid

logger = logging.getLogger(__name__)

HEADER = "Captcha-Response"


@dataclass(frozen=True)
class CaptchaResult:
    ok: bool
    reason: str = ""


class CaptchaVerifier:
    """What a CAPTCHA provider plugs in: markup for the form, and the server-side check."""

    #: The form field holding the provider's token (the API sends it in the ``Captcha-Response`` header).
    field_name = "captcha"
    #: Sources the widget loads, added to the form page's Content-Security-Policy (site_config.csp).
    csp_sources: Mapping[str, list[str]] = {}

    def widget_html(self, request: HttpRequest) -> str:
        """Markup to put into the HTML form; empty for none."""
        return ""

    def verify(self, request: HttpRequest, data: Mapping[str, Any]) -> CaptchaResult:
        raise NotImplementedError

    def token(self, request: HttpRequest, data: Mapping[str, Any]) -> str:
        value = data.get(self.field_name) if data else None
        return str(value or request.headers.get(HEADER) or "").strip()


class NoCaptcha(CaptchaVerifier):
    """The default: no CAPTCHA, everything passes (the rate limit and the form's honeypot remain)."""

    def verify(self, request: HttpRequest, data: Mapping[str, Any]) -> CaptchaResult:
        return CaptchaResult(True)


Opener = Callable[..., Any]  # urllib.request.urlopen's signature: (request, timeout=...) -> response


class HCaptcha(CaptchaVerifier):
    """hCaptcha (https://docs.hcaptcha.com/): the widget, and the token checked with ``siteverify``.

    The client's address is not sent to hCaptcha (``remoteip`` is optional there). When hCaptcha
    cannot be reached the check fails (``unavailable``): closed, not open.
    """

    field_name = "h-captcha-response"
    verify_url = "https://api.hcaptcha.com/siteverify"
    script_url = "https://js.hcaptcha.com/1/api.js"
    # hCaptcha's documented CSP: its script, frame, styles and API calls come from these hosts.
    csp_sources = {
        directive: ["https://hcaptcha.com", "https://*.hcaptcha.com"]
        for directive in ("script-src", "frame-src", "style-src", "connect-src")
    }

    def __init__(
        self, site_key: str | None = None, secret: str | None = None, opener: Opener | None = None, timeout: float = 5
    ) -> None:
        self.site_key = settings.SUBMISSIONS_CAPTCHA_SITE_KEY if site_key is None else site_key
        self.secret = settings.SUBMISSIONS_CAPTCHA_SECRET if secret is None else secret
        self.opener = opener or urllib.request.urlopen
        self.timeout = timeout

    def widget_html(self, request: HttpRequest) -> str:
        return format_html(
            '<div class="h-captcha" data-sitekey="{}"></div><script src="{}" async defer></script>',
            self.site_key,
            self.script_url,
        )

    def verify(self, request: HttpRequest, data: Mapping[str, Any]) -> CaptchaResult:
        token = self.token(request, data)
        if not token:
            return CaptchaResult(False, "missing-input-response")
        body = urllib.parse.urlencode({"secret": self.secret, "response": token, "sitekey": self.site_key}).encode()
        outgoing = urllib.request.Request(  # noqa: S310 - a fixed https URL
            self.verify_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            with self.opener(outgoing, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.warning("captcha provider unreachable", extra={"error": str(exc)[:200]})
            return CaptchaResult(False, "unavailable")
        if isinstance(answer, dict) and answer.get("success") is True:
            return CaptchaResult(True)
        codes = answer.get("error-codes") if isinstance(answer, dict) else None
        return CaptchaResult(False, ",".join(map(str, codes or [])) or "invalid-input-response")


def get_verifier() -> CaptchaVerifier:
    return import_string(settings.SUBMISSIONS_CAPTCHA_VERIFIER)()


def captcha_widget(request: HttpRequest) -> SafeString:
    """The configured verifier's markup for the form (empty with ``NoCaptcha``)."""
    return mark_safe(get_verifier().widget_html(request))  # noqa: S308 - the verifier builds it with format_html


def captcha_csp_sources() -> Mapping[str, list[str]]:
    """What the configured verifier's widget needs in the form page's Content-Security-Policy."""
    return get_verifier().csp_sources


def check_captcha(request: HttpRequest, data: Mapping[str, Any]) -> None:
    """Raise ``SubmissionInvalid`` (400, field ``captcha``) unless the configured verifier accepts."""
    result = get_verifier().verify(request, data)
    if not result.ok:
        logger.info("captcha refused", extra={"reason": result.reason})
        message = (
            _("The CAPTCHA service could not be reached; please try again in a moment.")
            if result.reason == "unavailable"
            else _("Please confirm that you are not a robot: the CAPTCHA check failed.")
        )
        raise SubmissionInvalid([FieldError("captcha", "captcha_failed", message)])
