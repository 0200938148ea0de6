"""Validate a submission as a whole: the document, the checks across fields, and the files.

Every problem is collected before answering, so a submitter fixes everything in one go: field
checks (``schemas.SubmissionIn``, codes checked by the registry of case filters), checks across
fields (years and initiative status; facts that contradict each other, by the page's own rule
``manual.case_facts.fact_contradictions``; the hero image index; the case to update) where the fields
involved are valid on their own, and each file. Fields are named as the client sent them, with
dots and list indexes: ``body.context``, ``links.0.url``, ``attachments.1``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import ValidationError
from wagtail.models import Locale

from core.api_errors import ApiError
from manual.case_facts import CASE_FACT_NAMES, CONTRADICTION, fact_contradictions
from manual.models import CaseStudyIndexPage, CaseStudyPage, InitiativeStatus
from submissions.models import IMAGE_KINDS, FileKind
from submissions.schemas import SubmissionIn
from submissions.services.docx import DocxUnreadable, docx_sections, merge_into_body
from submissions.services.files import CheckedFile, FileProblem, check_file

MAX_ERRORS = 100
# pydantic's error types, reduced to the API's small set of codes; our own codes pass unchanged.
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_too_short": "required",
    "too_short": "too_short",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "enum": "invalid_choice",
    "decimal_max_digits": "out_of_range",
    "decimal_max_places": "too_precise",
    "decimal_whole_digits": "out_of_range",
}
_OWN_CODES = {
    "required",
    "invalid_characters",
    "invalid_url",
    "invalid_email",
    "unknown_code",
    "unknown_locale",
    "consent_required",
    CONTRADICTION,
}


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str


class SubmissionInvalid(ApiError):
    """400 with every problem found: ``{"errors": [{field, code, message}, ...]}``."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(400, "invalid", _("The submission is not valid."), None)
        self.errors = errors[:MAX_ERRORS]

    def as_body(self) -> dict:
        return {"errors": [asdict(error) for error in self.errors]}


@dataclass(frozen=True)
class UploadedPart:
    """A file part as received: its bytes (already bounded by the reader) and the client's name."""

    content: bytes  # empty when the part is over the per-file limit: it is refused by its size
    name: str | None
    size: int

    @property
    def oversized(self) -> bool:
        return self.size > settings.SUBMISSIONS_MAX_FILE_BYTES


@dataclass
class ValidSubmission:
    data: SubmissionIn
    locale: Locale
    updates_case: CaseStudyPage | None
    attachments: list[CheckedFile] = field(default_factory=list)
    body_docx: CheckedFile | None = None

    @property
    def files(self) -> list[tuple[str, int, CheckedFile]]:
        """(role, position, file) of everything to store."""
        items = [("attachment", position, checked) for position, checked in enumerate(self.attachments)]
        if self.body_docx is not None:
            items.append(("body_docx", 0, self.body_docx))
        return items


def _dotted(location: tuple[int | str, ...]) -> str | None:
    return ".".join(str(part) for part in location) or None


def _document_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False):
        kind = error["type"]
        code = kind if kind in _OWN_CODES else _CODES.get(kind, "invalid")
        errors.append(FieldError(_dotted(error["loc"]), code, error["msg"]))
    return errors


def _check_files(
    attachments: list[UploadedPart], body_docx: UploadedPart | None
) -> tuple[list[CheckedFile | None], CheckedFile | None, list[FieldError]]:
    errors: list[FieldError] = []
    if len(attachments) > settings.SUBMISSIONS_MAX_FILES:
        errors.append(
            FieldError(
                "attachments",
                "too_many_files",
                _("%(sent)s files were sent; at most %(max)s are accepted.")
                % {"sent": len(attachments), "max": settings.SUBMISSIONS_MAX_FILES},
            )
        )
        # The files are not looked at; positions stay, so other checks do not report them missing.
        return [None] * len(attachments), None, errors
    total = sum(part.size for part in attachments) + (body_docx.size if body_docx else 0)
    if total > settings.SUBMISSIONS_MAX_TOTAL_BYTES:
        errors.append(
            FieldError(
                "attachments",
                "total_too_large",
                _("The files add up to %(total).1f MB; at most %(max).0f MB are accepted in all.")
                % {"total": total / 2**20, "max": settings.SUBMISSIONS_MAX_TOTAL_BYTES / 2**20},
            )
        )
    checked: list[CheckedFile | None] = []
    for position, part in enumerate(attachments):
        checked.append(_check_one(part, f"attachments.{position}", None, errors))
    docx = _check_one(body_docx, "body_docx", frozenset({FileKind.DOCX}), errors) if body_docx else None
    return checked, docx, errors


def _check_one(
    part: UploadedPart, name: str, allowed: frozenset[FileKind] | None, errors: list[FieldError]
) -> CheckedFile | None:
    try:
        if part.oversized:
            raise FileProblem(
                "file_too_large",
                _("The file is %(size).1f MB; a file may be at most %(max).1f MB.")
                % {"size": part.size / 2**20, "max": settings.SUBMISSIONS_MAX_FILE_BYTES / 2**20},
            )
        return check_file(part.content, part.name, allowed)
    except FileProblem as problem:
        errors.append(FieldError(name, problem.code, problem.message))
        return None


def _valid(raw: dict[str, Any], failed: set[str], name: str) -> Any:
    """A top-level value as sent, when it passed its own checks; None otherwise (callers check its type)."""
    return None if name in failed else raw.get(name)


def _cross_field_errors(
    raw: dict[str, Any], failed: set[str], attachments: list[CheckedFile | None]
) -> tuple[list[FieldError], Locale | None, CaseStudyPage | None]:
    errors: list[FieldError] = []
    start, end = _valid(raw, failed, "start_year"), _valid(raw, failed, "end_year")
    status = _valid(raw, failed, "initiative_status")
    if isinstance(start, int) and isinstance(end, int) and end < start:
        errors.append(FieldError("end_year", "out_of_range", _("The end year cannot be before the start year.")))
    if status == InitiativeStatus.COMPLETED and "end_year" not in failed and end is None:
        errors.append(FieldError("end_year", "required", _("A completed initiative needs an end year.")))
    if status == InitiativeStatus.PLANNED and isinstance(end, int):
        errors.append(FieldError("end_year", "invalid", _("A planned initiative cannot have an end year yet.")))
    facts = {name: _valid(raw, failed, name) for name in CASE_FACT_NAMES}
    errors.extend(FieldError(name, CONTRADICTION, message) for name, message in fact_contradictions(facts).items())

    hero = _valid(raw, failed, "hero_attachment")
    if isinstance(hero, int):
        if hero >= len(attachments):
            errors.append(
                FieldError(
                    "hero_attachment",
                    "out_of_range",
                    _("There is no attachment %(number)s (%(sent)s sent).")
                    % {"number": hero, "sent": len(attachments)},
                )
            )
        elif (hero_file := attachments[hero]) is not None and hero_file.kind not in IMAGE_KINDS:
            errors.append(FieldError("hero_attachment", "not_an_image", _("The hero attachment must be an image.")))

    locale = None
    code = _valid(raw, failed, "locale")
    if isinstance(code, str):
        locale = Locale.objects.filter(language_code=code.strip().lower()).first()
        if locale is None or not CaseStudyIndexPage.objects.filter(locale=locale).exists():
            errors.append(
                FieldError(
                    "locale",
                    "unknown_locale",
                    _("The manual has no case studies in %(code)s yet.") % {"code": repr(code)},
                )
            )
            locale = None

    case = None
    case_id = _valid(raw, failed, "updates_case")
    if isinstance(case_id, int) and locale is not None:
        case, problem = _case_to_update(case_id, locale)
        if problem:
            errors.append(FieldError("updates_case", "unknown_case", problem))
    return errors, locale, case


def _case_to_update(case_id: int, locale: Locale) -> tuple[CaseStudyPage | None, str | None]:
    """The published case ``case_id`` in the submission's locale (any translation's id is accepted)."""
    published = CaseStudyPage.objects.live().filter(alias_of__isnull=True)
    case = published.filter(pk=case_id).first()
    if case is None:
        return None, _("There is no published case with id %(id)s.") % {"id": case_id}
    in_locale = published.filter(translation_key=case.translation_key, locale=locale).first()
    if in_locale is None:
        return None, _("Case %(id)s has no published version in %(locale)s; submit in its language.") % {
            "id": case_id,
            "locale": repr(locale.language_code),
        }
    return in_locale, None


def validate_submission(
    document: Any,
    attachments: list[UploadedPart],
    body_docx: UploadedPart | None = None,
    known_problems: list[FieldError] | tuple[FieldError, ...] = (),
) -> ValidSubmission:
    """Everything checked, or ``SubmissionInvalid`` with every problem found.

    ``known_problems`` are what the reader found already (JSON that does not parse, unexpected
    parts); the files are still checked, so the answer lists everything at once.
    """
    errors: list[FieldError] = list(known_problems)
    data: SubmissionIn | None = None
    failed: set[str] = set()
    checked, docx, file_errors = _check_files(attachments, body_docx)
    errors.extend(file_errors)
    if not isinstance(document, dict):
        if document is not None or not errors:
            errors.append(FieldError(None, "invalid", _("The submission must be a JSON object.")))
        document = {}
    else:
        if docx is not None:
            # The Word document's headings fill the body sections (services.docx); the body is
            # then validated and sanitised like any body sent as text.
            try:
                document = merge_into_body(document, docx_sections(docx.content))
            except DocxUnreadable as exc:
                errors.append(FieldError("body_docx", exc.code, str(exc)))
        try:
            data = SubmissionIn.model_validate(document)
        except ValidationError as exc:
            errors.extend(_document_errors(exc))
            failed = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}

    more, locale, case = _cross_field_errors(document, failed, checked)
    errors.extend(more)

    if errors or data is None or locale is None:
        raise SubmissionInvalid(errors or [FieldError(None, "invalid", _("The submission is not valid."))])
    return ValidSubmission(
        data=data,
        locale=locale,
        updates_case=case,
        attachments=[item for item in checked if item is not None],
        body_docx=docx,
    )
