"""Open-data routes: the dumps as files, their codebook and the DCAT-AP catalogue record.

The dumps are files written by ``manage.py export_cases`` (``opendata.services.dumps``), never built
per request: a route answers the file with its ETag and Last-Modified (304 to a client that has
it), or a 503 in the API's error shape when no export ran yet.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Router

from core.api_errors import ERROR_RESPONSES, ApiError, ErrorList
from opendata.services import catalogue, codebook, dumps

router = Router(tags=["open data"])

# Files change when an export replaces them; clients revalidate with the ETag after this many seconds.
MAX_AGE = 300
NOT_EXPORTED = {**ERROR_RESPONSES, 503: ErrorList}


def _file_response(media_type: str, json: bool = False) -> dict[str, Any]:
    """The OpenAPI description of a 200 that is a file of ``media_type`` (a JSON document when ``json``)."""
    schema = {"type": "object"} if json else {"type": "string", "format": "binary"}
    return {
        "responses": {
            "200": {
                "description": f"The file ({media_type}), with ETag and Last-Modified; 304 to a conditional "
                "request that has it.",
                "content": {media_type: {"schema": schema}},
            }
        }
    }


def _public(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _serve_dump(request: HttpRequest, name: str) -> HttpResponseBase:
    found = dumps.dump_file(name)
    if found is None:
        raise ApiError(
            503,
            "not_exported",
            _("The data has not been exported yet; the site's operator runs `manage.py export_cases`."),
        )
    etag = f'"{found.size:x}-{found.modified.timestamp():.6f}"'
    last_modified = found.modified.timestamp()
    unchanged = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if unchanged is not None:
        return _public(unchanged)
    media_type = found.format.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8; header=present" if name.endswith(".csv") else "; charset=utf-8"
    response = FileResponse(found.path.open("rb"), content_type=media_type, as_attachment=False, filename=name)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return _public(response)


@router.get(
    "export/cases.json",
    response=NOT_EXPORTED,
    url_name="export_cases_json",
    summary="Every published case in every locale (JSON)",
    description="`{format, title, publisher, licence, licence_url, generated_at, schema, cases: [...], count}`; "
    "each item of `cases` is one case in one locale (schema: `/api/v1/export/cases.schema.json`), in the "
    "import format, so `manage.py import_cases cases.json` reads it back. Written by `manage.py "
    "export_cases` and refreshed when a case is published; 503 `not_exported` before the first export.",
    openapi_extra=_file_response(dumps.JSON.media_type, json=True),
)
def cases_json(request: HttpRequest):
    return _serve_dump(request, dumps.JSON.name)


@router.get(
    "export/cases.csv",
    response=NOT_EXPORTED,
    url_name="export_cases_csv",
    summary="Every published case in every locale (CSV)",
    description="One row per case and locale; lists joined with `|` (`\\|` for a `|` in a value); codes "
    "with their labels in the row's language. Columns: `/api/v1/export/codebook.csv`.",
    openapi_extra=_file_response(dumps.CSV.media_type),
)
def cases_csv(request: HttpRequest):
    return _serve_dump(request, dumps.CSV.name)


@router.get(
    "export/cases.geojson",
    response=NOT_EXPORTED,
    url_name="export_cases_geojson",
    summary="Published cases with coordinates (GeoJSON)",
    description="A FeatureCollection of Points (longitude, latitude); each feature's properties are the "
    "JSON record less `body` and `coordinates`.",
    openapi_extra=_file_response(dumps.GEOJSON.media_type, json=True),
)
def cases_geojson(request: HttpRequest):
    return _serve_dump(request, dumps.GEOJSON.name)


SCHEMA_TYPE = "application/schema+json"
JSON_LD = "application/ld+json"


@router.get(
    "export/cases.schema.json",
    response=ERROR_RESPONSES,
    url_name="export_schema",
    summary="JSON Schema of a case record",
    description="Of an item of `cases` in `cases.json` (and, less `body` and `coordinates`, of a GeoJSON "
    "feature's properties).",
    openapi_extra=_file_response(SCHEMA_TYPE, json=True),
)
def record_schema(request: HttpRequest):
    schema = codebook.record_schema(request.build_absolute_uri(reverse("api-v1:export_schema")))
    return _public(JsonResponse(schema, content_type=SCHEMA_TYPE, json_dumps_params={"indent": 1}))


@router.get(
    "export/codebook.csv",
    response=ERROR_RESPONSES,
    url_name="export_codebook",
    summary="Codebook of the CSV dump",
    description="Every column of `cases.csv` with its type and description, each followed by the codes it "
    "may hold with their labels in every locale (`label_<locale>` columns).",
    openapi_extra=_file_response("text/csv"),
)
def codebook_csv(request: HttpRequest):
    response = HttpResponse(codebook.codebook_csv(), content_type="text/csv; charset=utf-8; header=present")
    response["Content-Disposition"] = 'inline; filename="codebook.csv"'
    return _public(response)


@router.get(
    "export/catalog.jsonld",
    response=ERROR_RESPONSES,
    url_name="export_catalogue",
    summary="DCAT-AP catalogue record of the open data (JSON-LD)",
    description="A `dcat:Catalog` with the case dataset and one `dcat:Distribution` per dump format, for "
    "European data portals to harvest.",
    openapi_extra=_file_response(JSON_LD, json=True),
)
def catalogue_record(request: HttpRequest):
    def absolute(name: str) -> str:
        if name == "data":
            return request.build_absolute_uri(reverse("opendata:data"))
        return request.build_absolute_uri(reverse("api-v1:export_cases_json")).rsplit("/", 1)[0] + "/" + name

    record = catalogue.catalogue(absolute)
    return _public(JsonResponse(record, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False}))
