"""Which answers a shared HTTP cache may keep (docs/operations.md "HTTP cache").

The app decides, with ``Cache-Control``; the VCL (site_config/varnish) honours it and refuses the
same paths on its own, so a mistake on one side does not put personal data in the cache:

- never cached (``private, no-store``): anything that is not a GET or HEAD, that sets a cookie or
  varies by cookie (a CSRF token, a session), asked with a session (a signed-in editor) or
  credentials, and the paths of
  ``NEVER_CACHED_PATHS`` (forms, submission status and edit pages, the admin with its previews,
  the external front end's preview, unpublished files);
- kept by a shared cache for ``FRONTEND_CACHE_SECONDS`` (``public, max-age=0, s-maxage=N``) when
  a cache is configured (``FRONTEND_CACHE_URL``): the reader's pages and the sitemap, purged on
  publication (``manual.services.frontend_cache``); browsers revalidate every time;
- anything else keeps the headers its view chose (the API's ``public, max-age``, static files).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, has_vary_header, patch_cache_control

# Regular expressions on the path (also written into the VCL by `manage.py varnish_vcl`).
NEVER_CACHED_PATHS = (
    r"^/admin/",
    r"^/api/preview",
    r"^/api/v1/submissions",
    r"^/unpublished-media/",
    r"^/[a-z-]+/submit/",
    r"^/[a-z-]+/accessibility/feedback/",
)
SHARED_CACHE_STATUSES = {200, 301, 404, 410}
NEVER_CACHED = re.compile("|".join(NEVER_CACHED_PATHS))


def shared_cache_paths() -> re.Pattern[str]:
    """The reader's pages (under a locale's prefix) and the sitemap: public, purged on publication."""
    locales = "|".join(re.escape(code) for code in settings.MANUAL_LOCALES)
    return re.compile(rf"^/({locales})/|^/sitemap[^/]*\.xml$")


def is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """May the answer hold something of this visitor's (a token, a session, a form, a draft)?"""
    return bool(
        request.method not in {"GET", "HEAD"}
        or response.cookies
        or has_vary_header(response, "Cookie")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
        or NEVER_CACHED.match(request.path)
        or getattr(request, "is_preview", False)
    )


class CacheControlMiddleware:
    """``Cache-Control`` for shared caches; placed outside the session and CSRF middleware, so that
    it sees the cookies and ``Vary: Cookie`` they add."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.shared = shared_cache_paths()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_personal(request, response):
            if "no-store" not in response.get("Cache-Control", ""):  # a view's own no-store stays as it is
                add_never_cache_headers(response)
        elif (
            settings.FRONTEND_CACHE_URL
            and response.status_code in SHARED_CACHE_STATUSES
            and self.shared.match(request.path)
        ):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, public=True, max_age=0, s_maxage=settings.FRONTEND_CACHE_SECONDS)
            elif "public" in response["Cache-Control"]:
                # A view's own public answer (the sitemap's max-age for browsers and crawlers): the
                # shared cache keeps it until a publication purges it, like the other reader pages.
                patch_cache_control(response, s_maxage=settings.FRONTEND_CACHE_SECONDS)
        return response
