"""Django's error reports (the debug page, mailed reports) without the secrets of URLs.

Django hides settings and POST fields it is told about, but shows the query string (request.GET,
the request URL, ``QUERY_STRING``, the Referer) and every local variable of the traceback as they
are. These classes pass them through ``site_config.redaction`` (settings.DEFAULT_EXCEPTION_REPORTER
and DEFAULT_EXCEPTION_REPORTER_FILTER).
"""

from __future__ import annotations

from collections.abc import ItemsView
from typing import Any

from django.http import HttpRequest, QueryDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from site_config.redaction import MARK, is_sensitive_name, redact, redact_items


def _secrets_of(request: HttpRequest | None) -> list[str]:
    if request is None:
        return []
    values = [value for name, values in request.GET.lists() if is_sensitive_name(name) for value in values]
    # Longest first, so that a secret containing another is replaced whole; short values are no secret.
    return sorted({value for value in values if len(value) >= 8}, key=len, reverse=True)


def _hide(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MARK)
    return text


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hides token-like query parameters and variables, in DEBUG too (a debug page gets shared)."""

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        return {key: redact(value) if isinstance(value, str) else value for key, value in meta.items()}

    def get_cleansed_multivaluedict(self, request: HttpRequest, multivaluedict: QueryDict) -> QueryDict:
        multivaluedict = super().get_cleansed_multivaluedict(request, multivaluedict)
        if any(is_sensitive_name(name) for name in multivaluedict):
            multivaluedict = multivaluedict.copy()
            for name in list(multivaluedict):
                if is_sensitive_name(name):
                    multivaluedict[name] = MARK
        return multivaluedict

    def get_traceback_frame_variables(self, request: HttpRequest, tb_frame: Any) -> ItemsView[str, Any]:
        # The secrets this request carries: hidden wherever they travelled, e.g. as a positional
        # argument of a function further down whose parameter has another name.
        secrets = _secrets_of(request)
        cleansed: dict[str, Any] = {}
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if is_sensitive_name(name):
                value = MARK
            else:
                # A request's repr is its full path, an exception's its message: any value whose text
                # holds a secret is shown as that text, redacted.
                try:
                    shown = value if isinstance(value, str) else repr(value)
                except Exception:  # noqa: BLE001 - Django's report shows such values as it can
                    shown = ""
                hidden = _hide(redact(shown), secrets)
                if hidden != shown:
                    value = hidden
            cleansed[name] = value
        return cleansed.items()


class RedactingExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = redact_items(self.request.GET.items())
            data["request_insecure_uri"] = redact(data["request_insecure_uri"])
        if "exception_value" in data:
            data["exception_value"] = _hide(redact(data["exception_value"]), _secrets_of(self.request))
        return data
