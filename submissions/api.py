"""Submission routes on the one API object: intake and the submitter's status page.

Routes stay thin: they read the request, call ``submissions.services``, shape the answer. The request
body is read by the intake service rather than by ninja, because one route takes both JSON and
multipart and every problem (document and files) must be answered in one 400; the body's schema
still appears in the OpenAPI document (``openapi_extra``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from ninja import Query, Router, Status

from core.api_errors import ApiError, ErrorList, NotFound
from submissions import schemas
from submissions.services import idempotency, intake, resubmit, review, status

router = Router(tags=["submissions"])

ERRORS = dict.fromkeys((400, 403, 404, 409, 413, 415, 429), ErrorList)


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's JSON schema with its ``$defs`` inlined, to embed in an OpenAPI operation."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(dict(definitions[ref.rsplit("/", 1)[-1]]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


_DOCUMENT_SCHEMA = _inline_refs(schemas.SubmissionIn.model_json_schema())
_REQUEST_BODY = {
    "required": True,
    "content": {
        intake.JSON: {"schema": _DOCUMENT_SCHEMA},
        intake.MULTIPART: {
            "schema": {
                "type": "object",
                "required": [intake.DATA_PART],
                "properties": {
                    # The part is parsed as JSON (a text field or a file part): the same document as above.
                    intake.DATA_PART: {**_DOCUMENT_SCHEMA, "description": "The same JSON document, as a part."},
                    intake.ATTACHMENTS_PART: {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "maxItems": settings.SUBMISSIONS_MAX_FILES,
                        "description": "PDF, DOCX, ODT, PNG, JPEG or WebP; at most 10 files of 10 MB, 25 MB in all.",
                    },
                    intake.BODY_DOCX_PART: {
                        "type": "string",
                        "format": "binary",
                        "description": "A Word document whose headings fill the body sections (docs/submissions.md).",
                    },
                },
            },
            "encoding": {intake.DATA_PART: {"contentType": intake.JSON}},
        },
    },
}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    # idempotency.read_key: 1 to 255 printable ASCII characters, no spaces.
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "Retrying with the same key and content answers the first answer again.",
}
# The status page of the new submission: its id, and the token in its `status_url`. OpenAPI's
# runtime expressions cannot cut a query parameter out of a URL; the `#regex:` suffix is
# Schemathesis's extractor (scripts/fuzz-api.sh follows these links), other tools read the pointer.
_FROM_STATUS_URL = "$response.body#/status_url#regex:[?&]token=([^&#]+)"
_CREATED_LINKS = {
    "GetSubmissionStatus": {
        "operationId": "submissions_api_read_submission_status",
        "parameters": {"submission_id": "$response.body#/id", "token": _FROM_STATUS_URL},
        "description": "The status page of this submission (`status_url`).",
    },
    "ResubmitSubmission": {
        "operationId": "submissions_api_resubmit_submission",
        "parameters": {"submission_id": "$response.body#/id", "token": _FROM_STATUS_URL},
        "description": "A correction needs the edit link's token (sent when changes are requested): "
        "with the status token it answers 404.",
    },
}


def _status_url(submission_id: Any, token: str) -> str:
    path = reverse("api-v1:submission_status", kwargs={"submission_id": str(submission_id)})
    return f"{settings.BASE_URL}{path}?token={token}"


@router.post(
    "submissions",
    response={201: schemas.SubmissionCreated, **ERRORS},
    summary="Submit a case study",
    url_name="submission_create",
    openapi_extra={
        "requestBody": _REQUEST_BODY,
        "parameters": [_IDEMPOTENCY_KEY],
        "responses": {201: {"links": _CREATED_LINKS}},
    },
)
def create_submission(request: HttpRequest, response: HttpResponse):
    """Send a case study as JSON, or as multipart with a `data` part and `attachments` files.

    Answers 201 with the submission's id, status and a secret `status_url`; 400 lists every invalid
    field; 409 when an `Idempotency-Key` comes back with other content; 413 for an oversized
    request; 429 when this address sent too many submissions (see `Retry-After`).
    """
    try:
        admitted = intake.admit(request)  # counted and refused before the body is read or parsed
        incoming = intake.read_request(request)  # the size limits (413) come before the CAPTCHA
        result = intake.submit(incoming, admitted, channel=intake.Channel.API, request=request)
    except intake.RateLimited as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(exc.status, exc.as_body())
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    # With the immediate task backend the draft is made (and in review) by now.
    result.submission.refresh_from_db(fields=["status"])
    return Status(
        201,
        {
            "id": result.submission.pk,
            "status": result.submission.status,
            "status_url": _status_url(result.submission.pk, result.status_token),
        },
    )


@router.get(
    "submissions/{submission_id}",
    response={200: schemas.SubmissionStatusOut, **ERRORS},
    summary="Status of a submission",
    url_name="submission_status",
)
def read_submission_status(
    request: HttpRequest,
    submission_id: str,
    response: HttpResponse,
    token: str = Query("", description="The secret token of the `status_url`."),
):
    """The status and history of a submission, for the holder of its token; 404 otherwise."""
    # Private and changing: never kept by a shared cache (the API middleware adds `public` to
    # 200 answers; `no-store` still wins).
    add_never_cache_headers(response)
    return status.status_report(status.find_for_token(submission_id, token), request)


@router.put(
    "submissions/{submission_id}",
    response={200: schemas.SubmissionStatusOut, **ERRORS},
    summary="Correct a submission sent back for changes",
    url_name="submission_resubmit",
    openapi_extra={"requestBody": _REQUEST_BODY},
)
def resubmit_submission(
    request: HttpRequest,
    submission_id: str,
    response: HttpResponse,
    token: str = Query("", description="The secret token of the edit link sent when changes were requested."),
):
    """The corrected document, as JSON or multipart like `POST`, with the token of the edit link.

    Validated like a new submission; files stored before are kept (new `attachments` are added
    after them, within the limits). Answers 200 with the status; 400 lists every invalid field;
    404 for an unknown id or a wrong token; 403 when the link has expired or was used.
    """
    add_never_cache_headers(response)
    try:
        # The edit link is the gate of this route, as the rate limit is of POST: without an open
        # link the body is never read.
        review.find_for_edit_token(submission_id, token)
        incoming = intake.read_request(request)
        submission = resubmit.resubmit(
            submission_id,
            token,
            incoming.document,
            incoming.attachments,
            incoming.body_docx,
            known_problems=incoming.problems,
        )
    except review.EditLinkInvalid as problem:
        if not problem.found:
            raise NotFound("No submission with this id and token.") from None
        raise ApiError(403, "edit_link_closed", problem.message) from None
    submission.refresh_from_db()
    return status.status_report(submission, request)
