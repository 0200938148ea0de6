"""The service's one API: django-ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Each app adds its router here. Errors are answered in one shape (core.api_errors); invalid
input is a 400 naming the field, not ninja's default 422.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from core import openapi
from core.api_errors import ApiError
from manual.api import router as manual_router
from manual.services.case_filters import accepted_codes
from search.api import router as search_router
from submissions.api import router as submissions_router


class ManualApi(NinjaAPI):
    """The API whose OpenAPI document also states the codes accepted now (``core.openapi``)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return openapi.complete(document, accepted_codes())


api = ManualApi(
    title="eParticipation Manual API",
    version="1",
    description=(
        "Read the PanEuropean Best Practice Manual on eParticipation: case studies, manual sections, "
        "taxonomies and locales. Lists answer `{count, results}`; every item has `id`, "
        "`translation_key`, `locale`, `url`, `translations` and `fallback`. Errors answer "
        '`{"errors": [{"field", "code", "message"}]}`.'
    ),
    urls_namespace="api-v1",
)


def _error(request: HttpRequest, status: int, errors: list[dict]) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=status)


def _field_of(location: tuple | list) -> str | None:
    # ninja locates errors as ("query", "page_size") or ("body", "payload", "title"); the API user
    # knows the field by its own name.
    names = [str(part) for part in location if part not in {"query", "path", "body", "form", "header", "payload"}]
    return ".".join(names) or None


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _field_of(error.get("loc", ())),
            "code": str(error.get("type", "invalid")),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return _error(request, 400, errors)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.as_body(), status=exc.status)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, [{"field": None, "code": "not_found", "message": str(exc) or "Not found."}])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, [{"field": None, "code": "http_error", "message": exc.message}])


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, [{"field": None, "code": "unauthorized", "message": "Authentication required."}])


api.add_router("/", manual_router)
api.add_router("/", search_router)
api.add_router("/", submissions_router)
