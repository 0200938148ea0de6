"""The service's one API: django-ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Each app adds its router here. Errors are answered in one shape (core.api_errors); invalid
input is a 400 naming the field, not ninja's default 422.
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from core import openapi
from core.api_errors import ApiError
from manual.api import router as manual_router
from manual.services.case_filters import accepted_codes
from opendata.api import router as opendata_router
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
        "taxonomies and locales; the open data under `/api/v1/export/` (dumps, codebook, DCAT-AP catalogue "
        "record). Lists answer `{count, next, previous, results}`; every item has `id`, "
        "`translation_key`, `locale`, `url`, `translations` and `fallback`. Errors answer "
        '`{"errors": [{"field", "code", "message"}]}`.'
    ),
    urls_namespace="api-v1",
)


def _error(request: HttpRequest, status: int, errors: list[dict]) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=status)


def _field_of(location: tuple | list) -> str | None:
    # ninja locates errors as ("query", "page_size") or ("body", "payload", "title"); the API user
    # knows the field by its own name. Only the leading source and body argument are dropped: a
    # parameter may be called `path` (/pages/find).
    names = [str(part) for part in location]
    if names[:1] and names[0] in {"query", "path", "body", "form", "header"}:
        names = names[1:]
    if names[:1] == ["payload"]:
        names = names[1:]
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


def reject_unknown_query(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A GET whose query string names a parameter the operation does not declare is a 400 naming it.

    Applied to every operation by the API object (``add_decorator`` in "view" mode, which wraps the
    bound ``Operation.run``: before ninja validates anything, with the operation at hand). The
    parameters known are the operation's own query parameters (its signature's query models,
    flattened as the OpenAPI document lists them), so no list is kept by hand; a route taking
    free parameters declares them (the submission status route its ``token``). Without it
    ``/cases?slug=x`` would answer every case as if the filter applied.
    """
    operation = run.__self__  # type: ignore[attr-defined]  # the bound Operation.run ("view" mode)
    known = {
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    }

    def checked(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        unknown = [name for name in request.GET if name not in known]
        # Reads only: a write's query string is the writer's business (``PUT /submissions/{id}``
        # declares its ``token`` all the same).
        if unknown and request.method in {"GET", "HEAD"}:
            message = (
                gettext("Unknown parameter; this route takes: %(known)s.") % {"known": ", ".join(sorted(known))}
                if known
                else gettext("Unknown parameter; this route takes none.")
            )
            return _error(
                request, 400, [{"field": name, "code": "unknown_parameter", "message": message} for name in unknown]
            )
        return run(request, **kwargs)

    return checked


api.add_decorator(reject_unknown_query, mode="view")
api.add_router("/", manual_router)
api.add_router("/", search_router)
api.add_router("/", submissions_router)
api.add_router("/", opendata_router)
