"""Intake: read a submission request, then run the pipeline intake -> validate -> store -> convert.

``admit`` counts the attempt against the client's rate limit before a byte of the body is read:
429 with Retry-After (every attempt counts, valid or not, malformed or not: reading, parsing and
validating a body is what costs). ``read_request`` turns an HTTP request into a
``SubmissionRequest`` (the JSON document and the file parts, each read no further than its limit);
size limits come first there, from the request's declared length, before its body is read: 413.
``submit`` then decides, in this order:

0. the steps of the submission's channel (``Channel``): the CAPTCHA for the public form and API
   (``services.captcha``), nothing for the editors' import;
1. a repeated ``Idempotency-Key``: the first answer again (same content; the attempt is given back,
   so a replay does not use up the budget) or 409 (other content);
2. validation of everything: 400 with every problem (``services.validate``);
3. storage, all or nothing (``services.store``);
4. conversion into a draft in review, queued once the submission is committed
   (``convert.convert_submission_task``), and the e-mails of its arrival (to the submitter, to the
   moderators: ``services.notifications``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from core import ratelimit
from core.api_errors import ApiError, InvalidInput
from submissions.models import Submission
from submissions.services import idempotency
from submissions.services.captcha import check_captcha
from submissions.services.convert import convert_submission_task
from submissions.services.notifications import notify
from submissions.services.store import store_submission
from submissions.services.validate import FieldError, UploadedPart, validate_submission

JSON = "application/json"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # only an escape can bring one: UTF-8 cannot
MULTIPART = "multipart/form-data"
DATA_PART = "data"
ATTACHMENTS_PART = "attachments"
BODY_DOCX_PART = "body_docx"


class Channel(StrEnum):
    """Where a new submission comes from; each channel takes its own steps of intake."""

    FORM = "form"  # the HTML form at /<locale>/submit/ (views.submit_form)
    API = "api"  # POST /api/v1/submissions (api.create_submission)
    IMPORT = "import"  # manage.py import_cases: editors' trusted files (services.imports)

    @property
    def needs_captcha(self) -> bool:
        # Strangers' channels. The import is run by editors on the server; a resubmission has its
        # secret edit link as its gate instead (services.resubmit).
        return self in (Channel.FORM, Channel.API)


class PayloadTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, "request_too_large", f"The request is larger than the {limit / 2**20:.0f} MB a submission may be."
        )


class UnsupportedMediaType(ApiError):
    def __init__(self) -> None:
        super().__init__(415, "unsupported_media_type", f"Send {JSON}, or {MULTIPART} with a '{DATA_PART}' part.")


class IdempotencyConflict(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(409, "idempotency_key_reused", message, idempotency.HEADER)


class RateLimited(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429, "rate_limited", f"Too many submissions from this address; try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SubmissionRequest:
    """What a client sent, read within the limits, before any judgement of its content."""

    document: Any  # the parsed JSON, or None when it did not parse
    raw_document: bytes
    fingerprint: str
    idempotency_key: str | None = None
    attachments: list[UploadedPart] = field(default_factory=list)
    body_docx: UploadedPart | None = None
    problems: list[FieldError] = field(default_factory=list)  # unreadable JSON, unexpected parts

    @property
    def content_hash(self) -> str:
        files = [(ATTACHMENTS_PART, i, part.content) for i, part in enumerate(self.attachments)]
        if self.body_docx is not None:
            files.append((BODY_DOCX_PART, 0, self.body_docx.content))
        return idempotency.request_hash(self.document, self.raw_document, files)


@dataclass(frozen=True)
class IntakeResult:
    submission: Submission
    status_token: str
    replayed: bool = False


def admit(request: HttpRequest) -> ratelimit.RateDecision:
    """Count this attempt of the client; ``RateLimited`` (429) when its budget is spent.

    Only the client's address is looked at: a refused request costs one cache round trip, however
    large or malformed its body.
    """
    decision = ratelimit.hit(ratelimit.client_fingerprint(request))
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
    return decision


def read_request(request: HttpRequest) -> SubmissionRequest:
    key = idempotency.read_key(request.headers.get(idempotency.HEADER))
    fingerprint = ratelimit.client_fingerprint(request)
    length = _declared_length(request)
    if request.content_type == JSON:
        if length > settings.SUBMISSIONS_MAX_JSON_BYTES:
            raise PayloadTooLarge(settings.SUBMISSIONS_MAX_JSON_BYTES)
        raw = request.body
        document, problem = _parse_json(raw, None)
        return SubmissionRequest(document, raw, fingerprint, key, problems=[problem] if problem else [])
    if request.content_type == MULTIPART:
        if length > settings.SUBMISSIONS_MAX_REQUEST_BYTES:
            raise PayloadTooLarge(settings.SUBMISSIONS_MAX_REQUEST_BYTES)
        return _read_multipart(request, fingerprint, key)
    raise UnsupportedMediaType()


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise InvalidInput(None, "The Content-Length header is not a number.", "invalid_request") from None


def _parse_json(raw: bytes, field_name: str | None) -> tuple[Any, FieldError | None]:
    def refuse_constant(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")

    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, FieldError(field_name, "invalid_json", f"Not a valid UTF-8 JSON document: {exc}")
    # JSON's "\ud800" escape decodes to half a UTF-16 pair, which no text column can store: refused
    # here, naming where, before anything tries to save or hash it.
    where = _lone_surrogate_at(document) if _SURROGATE_ESCAPE.search(raw) else None
    if where is not None:
        return None, FieldError(
            where or field_name,
            "invalid_characters",
            "The text holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair); send valid Unicode.",
        )
    return document, None


def _lone_surrogate_at(document: Any) -> str | None:
    """The dotted path of the first key or string with a lone surrogate ("" for the document itself).

    Iterative: a document nested as deep as the parser allows must not overflow the stack here.
    """
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    return path
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return None


def _read_multipart(request: HttpRequest, fingerprint: str, key: str | None) -> SubmissionRequest:
    try:
        fields, files = request.POST, request.FILES
    except RequestDataTooBig:
        raise PayloadTooLarge(settings.SUBMISSIONS_MAX_REQUEST_BYTES) from None
    except TooManyFilesSent:
        raise InvalidInput(ATTACHMENTS_PART, "Far too many files were sent.", "too_many_files") from None
    except (MultiPartParserError, TooManyFieldsSent) as exc:
        raise InvalidInput(None, f"The multipart body cannot be read: {exc}", "invalid_request") from None

    unexpected = [name for name in fields if name != DATA_PART]
    unexpected += [name for name in files if name not in {DATA_PART, ATTACHMENTS_PART, BODY_DOCX_PART}]
    problems = [
        FieldError(
            name,
            "unknown_field",
            f"Unexpected part {name!r}: the JSON goes in '{DATA_PART}', files in '{ATTACHMENTS_PART}' "
            f"or '{BODY_DOCX_PART}'.",
        )
        for name in unexpected
    ]
    # The JSON document is a text field, or a file part (curl -F data=@case.json).
    data_file = files.get(DATA_PART)
    if data_file is not None:
        raw = data_file.read(settings.SUBMISSIONS_MAX_JSON_BYTES + 1)
    else:
        raw = fields.get(DATA_PART, "").encode()
    document: Any = None
    if not raw:
        problems.append(FieldError(DATA_PART, "required", f"The '{DATA_PART}' part with the JSON document is missing."))
    elif len(raw) > settings.SUBMISSIONS_MAX_JSON_BYTES:
        problems.append(FieldError(DATA_PART, "too_long", "The JSON document is larger than 1 MB."))
    else:
        document, problem = _parse_json(raw, DATA_PART)
        if problem:
            problems.append(problem)

    docx_parts = files.getlist(BODY_DOCX_PART)
    if len(docx_parts) > 1:
        problems.append(FieldError(BODY_DOCX_PART, "too_many_files", "Send one Word document at most."))
    return SubmissionRequest(
        document,
        raw,
        fingerprint,
        key,
        attachments=[read_part(upload) for upload in files.getlist(ATTACHMENTS_PART)],
        body_docx=read_part(docx_parts[0]) if docx_parts else None,
        problems=problems,
    )


def read_part(upload: UploadedFile) -> UploadedPart:
    """A file part as the validator takes it (the form's files too: ``forms.uploaded_parts``).

    A file over the limit is refused by its size; its bytes are never read into memory. Django's
    upload handlers always state the size; of a file that does not (``UploadedFile(size=None)``, made
    by other code), one byte more than the limit is read to learn it.
    """
    limit = settings.SUBMISSIONS_MAX_FILE_BYTES
    if upload.size is None:
        content = upload.read(limit + 1)
        return UploadedPart(b"" if len(content) > limit else content, upload.name, size=len(content))
    if upload.size > limit:
        return UploadedPart(b"", upload.name, size=upload.size)
    return UploadedPart(upload.read(), upload.name, size=upload.size)


def submit(
    incoming: SubmissionRequest,
    admitted: ratelimit.RateDecision,
    channel: Channel | str = Channel.API,
    request: HttpRequest | None = None,
) -> IntakeResult:
    """``admitted`` is the answer of ``admit`` for this request, which the caller asked first.

    ``request`` is the HTTP request the submission came in, whose CAPTCHA answer the channel may
    need; code that submits with no client behind it passes none (as it makes its own ``admitted``).
    """
    channel = Channel(channel)
    if channel.needs_captcha and request is not None:
        # First: a client refused here learns nothing, not even whether its key was used before.
        check_captcha(request, request.POST)
    content_hash = incoming.content_hash
    if incoming.idempotency_key:
        replay = _replay(incoming.idempotency_key, content_hash)
        if replay is not None:
            ratelimit.refund(admitted)
            return replay

    valid = validate_submission(
        incoming.document, incoming.attachments, incoming.body_docx, known_problems=incoming.problems
    )
    try:
        stored = store_submission(
            valid,
            fingerprint=incoming.fingerprint,
            request_hash=content_hash,
            idempotency_key=incoming.idempotency_key,
            channel=channel,
        )
    except IntegrityError:
        # Two requests with one key raced; the other stored first.
        if incoming.idempotency_key and (replay := _replay(incoming.idempotency_key, content_hash)):
            ratelimit.refund(admitted)
            return replay
        raise
    transaction.on_commit(partial(convert_submission_task.enqueue, str(stored.submission.pk)), robust=True)
    # After the conversion was queued: with the immediate backend the moderators' link is the draft's.
    notify("received", stored.submission, token=stored.status_token)
    notify("moderators_new", stored.submission)
    return IntakeResult(stored.submission, stored.status_token)


def _replay(key: str, content_hash: str) -> IntakeResult | None:
    existing = Submission.objects.filter(idempotency_key_hash=idempotency.sha256(key)).first()
    if existing is None:
        return None
    if existing.request_hash != content_hash:
        raise IdempotencyConflict(
            f"This {idempotency.HEADER} was used for another submission; use a new key for new content."
        )
    token = idempotency.replay_status_token(str(existing.pk), key, existing.status_token_hash)
    if token is None:  # the secret that derived the token is gone (SECRET_KEY rotated without fallback)
        raise IdempotencyConflict(f"This {idempotency.HEADER} was used too long ago to be replayed.")
    return IntakeResult(existing, token, replayed=True)
