"""Request body limits in the app (site_config/body_limits.py): 413 from Content-Length before reading.

The test client's payload raises when read past what was really sent, so a route that answers 413
to a request claiming far more than it carries has not tried to read the body.
"""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from site_config.body_limits import RequestBodyLimitMiddleware, body_limit

pytestmark = pytest.mark.django_db

HUGE = 300 * 1024 * 1024
EDIT = f"/en/submit/{uuid.uuid4()}/edit/"
# Every route that takes a body, with the content type it takes and the limit of its class.
ROUTES = [
    ("post", "/api/v1/submissions", "application/json", "API_MAX_BODY_BYTES"),
    ("post", "/api/v1/submissions", "multipart/form-data; boundary=x", "SUBMISSIONS_MAX_REQUEST_BYTES"),
    ("put", f"/api/v1/submissions/{uuid.uuid4()}", "application/json", "API_MAX_BODY_BYTES"),
    ("put", f"/api/v1/submissions/{uuid.uuid4()}", "multipart/form-data; boundary=x", "SUBMISSIONS_MAX_REQUEST_BYTES"),
    ("post", "/en/submit/", "multipart/form-data; boundary=x", "SUBMISSIONS_MAX_REQUEST_BYTES"),
    ("post", EDIT, "multipart/form-data; boundary=x", "SUBMISSIONS_MAX_REQUEST_BYTES"),
    ("post", "/en/accessibility/feedback/", "application/x-www-form-urlencoded", "DATA_UPLOAD_MAX_MEMORY_SIZE"),
    ("post", "/en/accessibility/feedback/", "multipart/form-data; boundary=x", "DATA_UPLOAD_MAX_MEMORY_SIZE"),
    ("post", "/admin/login/", "application/x-www-form-urlencoded", "ADMIN_MAX_REQUEST_BYTES"),
    ("post", "/admin/documents/multiple/add/", "multipart/form-data; boundary=x", "ADMIN_MAX_REQUEST_BYTES"),
]


def _claiming(client: Client, method: str, path: str, content_type: str, length: int):
    # Two bytes sent, ``length`` claimed: reading more than two bytes fails the test.
    return getattr(client, method)(path, data=b"{}", content_type=content_type, CONTENT_LENGTH=str(length))


@pytest.mark.parametrize(("method", "path", "content_type", "setting"), ROUTES)
def test_a_body_claimed_over_the_route_limit_is_refused_413_without_reading_it(
    client, method, path, content_type, setting
):
    limit = getattr(settings, setting)
    assert body_limit(path, content_type).limit == limit

    for declared in (limit + 1, HUGE):
        response = _claiming(client, method, path, content_type, declared)

        assert response.status_code == 413, (path, declared)
        assert f"{limit:,} bytes" in response.content.decode()


def test_the_api_says_413_in_its_error_shape(client):
    response = _claiming(client, "post", "/api/v1/submissions", "application/json", HUGE)

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_a_body_at_the_limit_goes_on_to_the_route(client, settings):
    settings.API_MAX_BODY_BYTES = 64
    document = json.dumps({"title": "x" * 40}).encode()
    assert len(document) <= 64

    response = client.post("/api/v1/submissions", data=document, content_type="application/json")

    assert response.status_code == 400, "validated by the route, not refused for its size"
    assert "errors" in response.json()


def test_the_limits_of_the_classes_are_the_documented_ones():
    assert settings.API_MAX_BODY_BYTES == 1024 * 1024
    assert settings.SUBMISSIONS_MAX_REQUEST_BYTES > 26 * 1024 * 1024
    assert settings.ADMIN_MAX_REQUEST_BYTES >= settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    # File parts of a form go to a temporary file past 256 KB, never whole into memory.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 256 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[-1] == "django.core.files.uploadhandler.TemporaryFileUploadHandler"


def _chunked_request(path: str, body: bytes, content_type: str = "application/json") -> HttpRequest:
    """A request as gunicorn hands over a chunked one: de-chunked input, no Content-Length."""
    request = RequestFactory().post(path, data=b"", content_type=content_type)
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.environ["wsgi.input"] = io.BytesIO(body)
    return request


def test_a_chunked_body_under_the_limit_reaches_the_view_whole():
    seen: list[bytes] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.body)
        return HttpResponse("ok")

    body = b'{"title": "' + b"x" * 100_000 + b'"}'
    response = RequestBodyLimitMiddleware(view)(_chunked_request("/api/v1/submissions", body))

    assert response.status_code == 200
    assert seen == [body]


def test_a_chunked_body_is_cut_off_at_the_limit(settings):
    settings.API_MAX_BODY_BYTES = 1000
    source = io.BytesIO(b"x" * 50_000)
    request = _chunked_request("/api/v1/submissions", b"")
    request.environ["wsgi.input"] = source

    response = RequestBodyLimitMiddleware(lambda request: pytest.fail("the view must not run"))(request)

    assert response.status_code == 413
    assert source.tell() == 1001, "reading stopped at the first byte past the limit"


def test_reads_and_other_methods_pass_untouched(client):
    assert client.get("/healthz").status_code == 200
