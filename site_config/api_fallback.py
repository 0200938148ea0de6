"""The API's error shape for everything ninja's own handlers never see.

Ninja answers the errors of its routes (site_config.api). Outside them Django answers with HTML: an
unknown route under /api/ (404), an exception no handler caught (500), a bad request met by a
middleware (400), CSRF (403), or a plain text 405 of ninja itself. An API client must always get
``{"errors": [{"field", "code", "message"}]}``, so:

- ``handler400/403/404/500`` (wired in site_config.urls) answer JSON for /api/ paths and the
  project's HTML pages elsewhere;
- ``ApiErrorMiddleware``, the outermost middleware, turns any other non-JSON error answer of an
  /api/ path into that shape, and refuses NUL characters in query parameters (PostgreSQL cannot
  store or compare text holding them) with a 400 naming the parameter, before any route sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults

API_PREFIX = "/api/"

# Headers of the original answer a client still needs once its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "Cache-Control", "Vary", "WWW-Authenticate")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", gettext("The request cannot be read.")),
        403: ("forbidden", gettext("This request is not allowed.")),
        404: ("not_found", gettext("Not found.")),
        405: ("method_not_allowed", gettext("This method is not allowed here; the Allow header lists those that are.")),
        413: ("request_too_large", gettext("The request is too large.")),
        500: ("server_error", gettext("An internal error occurred; it has been logged.")),
    }


# The errors that the proxies in front (Apache, nginx) answer themselves on /api/ before the app sees
# the request: rendered into their configuration (site_config/apache, site_config/nginx) in the same
# shape, in English (the proxies do not negotiate a language).
PROXY_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request cannot be read."),
    408: ("request_timeout", "The request was not received in time."),
    413: ("request_too_large", "The request is too large."),
    414: ("uri_too_long", "The address is too long."),
    429: ("rate_limited", "Too many requests from this address at once; try again later."),
    500: ("server_error", "An internal error occurred."),
    502: ("bad_gateway", "The service is not available; try again later."),
    503: ("service_unavailable", "The service is not available; try again later."),
    504: ("gateway_timeout", "The service did not answer in time; try again later."),
}


def proxy_error_body(status: int) -> str:
    """The JSON body of PROXY_ERRORS[status], as the API's error shape."""
    code, message = PROXY_ERRORS[status]
    return json.dumps({"errors": [{"field": None, "code": code, "message": message}]})


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, field: str | None = None, code: str | None = None, message: str | None = None):
    default_code, default_message = _messages().get(status, (f"http_{status}", ""))
    body = {"field": field, "code": code or default_code, "message": message or default_message}
    return JsonResponse({"errors": [body]}, status=status)


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(400)
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return error_response(404, message=gettext("No API route at this address; see /api/v1/docs."))
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    # Django has logged the exception (django.request) before calling this.
    if is_api(request):
        return error_response(500)
    return defaults.server_error(request)


class ApiErrorMiddleware:
    """Outermost: NUL in query parameters is a 400; every error answer of /api/ is the JSON shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return error_response(
                    400,
                    name.replace("\x00", "\\x00"),
                    "invalid_characters",
                    gettext("Remove the NUL character from this parameter."),
                )
        response = self.get_response(request)
        if response.status_code < 400 or "json" in response.get("Content-Type", ""):
            return response
        if response.status_code >= 500 and settings.DEBUG:
            return response  # the developer's traceback page
        replaced = error_response(response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced
