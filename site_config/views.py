"""Operational endpoints: liveness and readiness for load balancers and orchestrators."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from search.services import engine_ping


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
    return engine_ping()
