"""Request body limits, applied before anything reads a body (docs/operations.md "Threats and limits").

Every route class has a largest legitimate body. A request declaring more in ``Content-Length`` is
answered 413 at once, without reading a byte of it, so a client cannot make a worker wait for (or
store) hundreds of megabytes. A chunked body (no ``Content-Length``) is read up to the limit into a
spooled temporary file (memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then disk) and cut off with
413 at the first byte past it; below the limit it is handed on as an ordinary body of known length.

nginx in front (``site_config/nginx/``) refuses bodies over the largest limit already; this is the
same rule inside the app, per route, for deployments without the proxy and for Django's own parsing.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

# /<language>/submit/ (the form) and /<language>/submit/<uuid>/edit/ (the edit form) carry files.
_SUBMISSION_FORM = re.compile(r"^/[a-z]{2,3}(?:-[a-z0-9]+)?/submit/(?:[0-9a-f-]{36}/edit/)?$", re.IGNORECASE)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    limit: int
    route_class: str


def body_limit(path: str, content_type: str) -> BodyLimit:
    """The largest body a request to ``path`` with ``content_type`` may have."""
    multipart = content_type.startswith("multipart/form-data")
    if path.startswith("/api/"):
        if multipart and path.startswith("/api/v1/submissions"):
            return BodyLimit(settings.SUBMISSIONS_MAX_REQUEST_BYTES, "multipart submission")
        return BodyLimit(settings.API_MAX_BODY_BYTES, "API")
    if _SUBMISSION_FORM.match(path):
        return BodyLimit(settings.SUBMISSIONS_MAX_REQUEST_BYTES, "submission form")
    if path.startswith("/admin/"):
        return BodyLimit(settings.ADMIN_MAX_REQUEST_BYTES, "admin")
    return BodyLimit(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "form")


def _too_large(request: HttpRequest, limit: BodyLimit) -> HttpResponse:
    message = f"The request body is larger than the {limit.limit:,} bytes a {limit.route_class} request may have."
    if request.path.startswith("/api/"):
        body = {"errors": [{"field": None, "code": "request_too_large", "message": message}]}
        response: HttpResponse = JsonResponse(body, status=413)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    # The unread body is left on the connection: gunicorn drains at most 64 KB of it and then closes
    # the connection, and nginx closes it itself (a WSGI app may not send "Connection: close").
    return response


class RequestBodyLimitMiddleware:
    """413 for a body over its route's limit, decided from the headers before the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in _BODY_METHODS:
            return self.get_response(request)
        limit = body_limit(request.path, request.content_type or "")
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                return HttpResponse("The Content-Length header is not a number.", status=400)
            if length > limit.limit:
                return _too_large(request, limit)
            return self.get_response(request)
        if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.get_response(request)
        with tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as spool:
            if not self._spool_chunked(request, spool, limit.limit):
                return _too_large(request, limit)
            return self.get_response(request)

    @staticmethod
    def _spool_chunked(request: HttpRequest, spool: IO[bytes], limit: int) -> bool:
        """Read a chunked body (the server de-chunks it) into ``spool`` up to ``limit``; False past it.

        Django reads ``CONTENT_LENGTH`` bytes and would see an empty body otherwise; once spooled
        the body has a length and the rest of the stack reads it as usual.
        """
        source = request.META.get("wsgi.input")  # META is the WSGI environ itself (WSGIRequest)
        if source is None:
            return True
        size = 0
        while chunk := source.read(min(_CHUNK, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                return False
            spool.write(chunk)
        spool.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        # Django's request reads its body through this stream (WSGIRequest.__init__ sets it).
        # django-stubs narrow both to BytesIO/BinaryIO; Django reads any binary file object through them.
        request._stream = LimitedStream(spool, size)  # type: ignore[arg-type,assignment]
        return True
