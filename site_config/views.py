"""Operational endpoints: liveness and readiness for load balancers and orchestrators."""

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
    from search.services import engine_ping

    return engine_ping()


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other address under /api/: the API's error list, not the reader's HTML 404 page.

    An id that is not a number (``/api/v1/cases/abc``) matches no route; a client of the API must
    still get the one error shape it parses (``site_config.api_errors``).
    """
    message = "No API route at this address; see /api/v1/docs."
    return JsonResponse({"errors": [{"field": None, "code": "not_found", "message": message}]}, status=404)
