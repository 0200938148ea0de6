"""Operational endpoints: liveness and readiness for load balancers and orchestrators; robots.txt."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from search.services import engine_ping


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Checks nothing else, so a slow database never kills workers."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers, and the search engine and the object storage (when configured) too."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means "not ready"; the message tells the operator why
        checks["database"] = {"ok": False, "error": str(exc)}
    checks["search"] = _search_check()
    if (files := _object_storage_check()) is not None:
        checks["object_storage"] = files
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _search_check() -> dict:
    return engine_ping()


def _object_storage_check() -> dict | None:
    """Both buckets answer to the app's key, when files are in object storage (OBJECT_STORAGE_URL)."""
    pings = [ping for alias in ("default", "submissions") if (ping := getattr(storages[alias], "ping", None))]
    if not pings:
        return None
    try:
        for ping in pings:
            ping()
    except OSError as exc:  # submissions.object_storage.ObjectStorageUnavailable: names endpoint and bucket
        return {"ok": False, "error": str(exc)}
    return {"ok": True}


# Paths with nothing for a search engine: the admin, previews, files of submissions in review, and
# a submitter's status and edit pages (personal, reached by a mailed link). The reader is allowed.
ROBOTS_DISALLOWED = ("/admin/", "/django-admin/", "/api/preview", "/unpublished-media/")


def _submission_paths(language_code: str) -> list[str]:
    """The submitter's own pages in one language, as robots.txt patterns (``*`` for the id)."""
    placeholder = uuid.UUID(int=0)
    with translation.override(language_code):
        status = reverse("submissions:status", args=[placeholder])
        edit = reverse("submissions:edit", args=[placeholder])
    return [status.split(str(placeholder))[0], edit.replace(str(placeholder), "*")]


@require_http_methods(["GET", "HEAD"])
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawling rules (RFC 9309) and the sitemap index's absolute URL (BASE_URL, never the Host header)."""
    disallowed = [*ROBOTS_DISALLOWED]
    for code in settings.MANUAL_LOCALES:
        disallowed += _submission_paths(code)
    # Disallow lines only: first-match parsers (Python's robotparser) would let "Allow: /" win over them.
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed)]
    lines += ["", f"Sitemap: {settings.BASE_URL}{reverse('sitemap')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
