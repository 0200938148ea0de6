import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag

logger = logging.getLogger("manual.request")


class RequestLogMiddleware:
    """Log one structured line per request: method, path, status and duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


class ApiCacheMiddleware:
    """ETag and Cache-Control on the API's public reads; 304 when ``If-None-Match`` matches.

    The ETag is a hash of the answer, so it changes exactly when the content does; revalidation
    saves the transfer, and the constant query count of every read keeps the rest cheap.
    """

    prefix = "/api/v1/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in {"GET", "HEAD"}
            or not request.path.startswith(self.prefix)
            or response.status_code != 200
            or response.streaming
            or request.path.startswith(f"{self.prefix}docs")
            or any(word in response.get("Cache-Control", "") for word in ("private", "no-store", "no-cache"))
        ):
            # Answers that chose their own caching (e.g. a submission's status) keep it.
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
        patch_vary_headers(response, ["Accept-Language"])
        # Given a response, Django returns it or a 304/412, never None; django-stubs type the call
        # without one (response=None) too.
        return get_conditional_response(request, etag=response["ETag"], response=response)  # type: ignore[return-value]


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, minus its 404 redirect outside the reader's language-prefixed pages.

    Wagtail's catch-all route makes every "/<lang>/..." path look valid, so Django would answer a
    404 of the API (or /healthz, /admin) with a redirect to "/en/api/...". Those paths are not
    translated URLs: their 404 stays a 404.

    On the API, messages (errors) follow the request's language like Django's: ``Accept-Language``
    (the paths have no language prefix), and ``?locale=`` when a route has it and names a
    configured locale, since that is the language the caller asked the answer in. Error codes are
    never translated.
    """

    unprefixed = (
        "/api/",
        "/admin/",
        "/documents/",
        "/media/",
        "/static/",
        "/healthz",
        "/readyz",
        "/sitemap.xml",
        "/sitemap-",
        "/robots.txt",
    )
    api_prefix = "/api/"

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if request.path.startswith(self.api_prefix):
            requested = (request.GET.get("locale") or "").strip().lower()
            if requested in settings.MANUAL_LOCALES:
                translation.activate(requested)
                request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith(self.unprefixed):
            return response
        return super().process_response(request, response)
