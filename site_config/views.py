"""Operational endpoints: liveness and readiness for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Checks nothing else, so a slow database never kills workers."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers and the search engine (when configured) is reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means "not ready"; the message tells the operator why
        checks["database"] = {"ok": False, "error": str(exc)}
    checks["search"] = _search_check()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _search_check() -> dict:
    if not settings.SEARCH_URL:
        return {"ok": True, "driver": "database"}
    import urllib.request

    try:
        with urllib.request.urlopen(settings.SEARCH_URL, timeout=2) as response:  # noqa: S310 - operator's URL
            return {"ok": response.status == 200, "driver": "engine"}
    except OSError as exc:
        return {"ok": False, "driver": "engine", "error": str(exc)}
