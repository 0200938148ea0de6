"""The submission document (what a practitioner sends) and the answers of the submission routes.

``SubmissionIn`` is the contract of DESIGN.md "Contracts" and the issue, field by field; it is both
the validator (``submissions.services.validate`` runs it) and the request schema shown in the
OpenAPI document. Every field check lives here, so a refusal names the field it is about; checks
across fields and files are in ``services.validate``. Its taxonomy fields are those of
``manual.taxonomy_registry`` (one per kind, named as the case's field), and codes are checked by
the registry's validator, as the API's filters are: the same refusal in the same words.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from ninja import Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from core.api_errors import MAX_ID
from manual.case_facts import CASE_FACTS, CHOICE, COUNT, MAX_PARTICIPANTS, URL, CaseFact
from manual.models import YEAR_VALIDATORS, InitiativeStatus, Licence
from manual.taxonomy_registry import COUNTRY, CaseFilter, TaxonomyKind, UnknownCodes, in_display_order, taxonomy_kinds
from submissions.rich_text import to_rich_text, visible_text

MIN_YEAR = YEAR_VALIDATORS[0].limit_value
MAX_YEAR = YEAR_VALIDATORS[1].limit_value
MAX_BODY_SECTION_CHARS = 20_000
MAX_LIST_ITEMS = 20
MAX_CODES = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_url_validator = URLValidator(schemes=["http", "https"])


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no reader needs the other control characters.
    if _CONTROL.search(value):
        raise PydanticCustomError("invalid_characters", "Remove control characters (such as NUL) from the text.")
    return value


def _one_line(value: str) -> str:
    return " ".join(_no_control_characters(value).split())


def _http_url(value: str) -> str:
    try:
        _url_validator(value)
    except DjangoValidationError:
        raise PydanticCustomError("invalid_url", "Enter a full http:// or https:// address.") from None
    return value


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise PydanticCustomError("invalid_email", "Enter a valid e-mail address.") from None
    return value


def _rich_text(value: str) -> str:
    html = to_rich_text(_no_control_characters(value))
    if len(html) > MAX_BODY_SECTION_CHARS:
        raise PydanticCustomError(
            "too_long",
            "The text is too long: at most {limit} characters (with its HTML) are accepted.",
            {"limit": MAX_BODY_SECTION_CHARS},
        )
    return html


def _required_rich_text(value: str) -> str:
    html = _rich_text(value)
    if not visible_text(html):
        raise PydanticCustomError("required", "This section is required (only markup or nothing was sent).")
    return html


def _line(max_length: int, required: bool = True) -> StringConstraints:
    """The bounds of a one-line text, trimmed; ``_one_line`` then collapses inner whitespace.

    The aliases below are spelled out as ``Annotated`` (not returned by a function) so that type
    checkers take them as types.
    """
    return StringConstraints(strip_whitespace=True, min_length=1 if required else 0, max_length=max_length)


Line255 = Annotated[str, _line(255), AfterValidator(_one_line)]
Line200 = Annotated[str, _line(200), AfterValidator(_one_line)]
OptionalLine255 = Annotated[str, _line(255, required=False), AfterValidator(_one_line)]
OptionalLine200 = Annotated[str, _line(200, required=False), AfterValidator(_one_line)]
OptionalLine120 = Annotated[str, _line(120, required=False), AfterValidator(_one_line)]
OptionalLine60 = Annotated[str, _line(60, required=False), AfterValidator(_one_line)]
Paragraph = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1500), AfterValidator(_no_control_characters)
]
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_http_url)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
OptionalHttpUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(lambda value: value and _http_url(value)),
]
RichText = Annotated[str, AfterValidator(_required_rich_text)]
OptionalRichText = Annotated[str, AfterValidator(_rich_text)]
Year = Annotated[StrictInt, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class _Strict(BaseModel):
    # Unknown fields are refused: a typo ("topic" for "topics") must not silently lose data.
    model_config = ConfigDict(extra="forbid")


class Coordinates(_Strict):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class Body(_Strict):
    """The case told in seven sections: plain text (blank lines make paragraphs) or limited HTML."""

    context: RichText
    objectives: RichText
    approach: RichText
    technology: OptionalRichText = ""
    results: RichText
    lessons: OptionalRichText = ""
    transferability: OptionalRichText = ""


class LinkIn(_Strict):
    title: Line200
    url: HttpUrl


class MetricIn(_Strict):
    label: Line200
    value: Annotated[Decimal, Field(max_digits=16, decimal_places=2, allow_inf_nan=False)]
    unit: OptionalLine60 = ""


class ContactIn(_Strict):
    """The submitter: kept apart from the case, shown on it only with ``consent.publish_contact``."""

    name: Line200
    email: Email
    organisation: OptionalLine255 = ""
    role: OptionalLine200 = ""


class ConsentIn(_Strict):
    terms: StrictBool = Field(description="Must be true: the submitter accepts the terms.")
    publish_contact: StrictBool = Field(False, description="Show the contact on the published case.")
    licence: Licence | None = Field(
        None, description="Licence granted for the text; default SUBMISSIONS_DEFAULT_LICENCE (CC-BY-4.0)."
    )

    @field_validator("terms")
    @classmethod
    def _terms_accepted(cls, value: bool) -> bool:
        if not value:
            raise PydanticCustomError("consent_required", "The terms must be accepted to submit a case.")
        return value


def _known(case_filter: CaseFilter, codes: list[str]) -> None:
    """The registry's validator, the one the API's filters use: same refusal, same message."""
    try:
        case_filter.check(codes)
    except UnknownCodes as exc:
        raise PydanticCustomError("unknown_code", "{message}", {"message": exc.message}) from None


def _classification(kind: TaxonomyKind) -> Any:
    """A taxonomy's field in the document: one code, or a list of codes (required either way)."""
    if kind.many:
        return Annotated[list[Code], Field(min_length=1, max_length=MAX_CODES)], ...
    return Code, ...


class _CaseWhere(_Strict):
    locale: Code
    title: Line255
    summary: Paragraph
    organisation: Line255
    city: OptionalLine120 = ""
    region: OptionalLine120 = ""
    country: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=2)]
    coordinates: Coordinates | None = None
    population: Annotated[StrictInt, Field(ge=0, le=10**10)] | None = None


# One field per taxonomy of the registry (its case field's name), between where and when.
_CaseClassified = create_model(
    "_CaseClassified",
    __base__=_CaseWhere,
    **{kind.field: _classification(kind) for kind in in_display_order(taxonomy_kinds())},
)


class _CaseWhen(_CaseClassified):  # type: ignore[misc,valid-type] # a base made from the registry
    start_year: Year
    end_year: Year | None = None
    initiative_status: InitiativeStatus


def _fact(fact: CaseFact) -> Any:
    """A participation or evaluation fact (manual.case_facts): optional, empty by default."""
    if fact.kind == COUNT:
        kind: Any = Annotated[StrictInt, Field(ge=1, le=MAX_PARTICIPANTS)] | None
        return kind, Field(None, description=fact.description)
    if fact.kind == CHOICE:
        codes: Any = fact.choices  # a TextChoices: the JSON Schema names it and lists its codes
        return codes | None, Field(None, description=fact.description)
    return (OptionalHttpUrl if fact.kind == URL else OptionalLine255), Field("", description=fact.description)


# One optional field per fact, after when.
_CaseFacts = create_model("_CaseFacts", __base__=_CaseWhen, **{fact.name: _fact(fact) for fact in CASE_FACTS})


class SubmissionIn(_CaseFacts):  # type: ignore[misc,valid-type] # a base made from the declarations
    """A case study as a practitioner sends it (names of DESIGN.md "Contracts")."""

    body: Body
    links: Annotated[list[LinkIn], Field(max_length=MAX_LIST_ITEMS)] = []
    metrics: Annotated[list[MetricIn], Field(max_length=MAX_LIST_ITEMS)] = []
    contact: ContactIn
    consent: ConsentIn
    hero_attachment: Annotated[StrictInt, Field(ge=0)] | None = Field(
        None, description="Index in `attachments` of the image to show on the case."
    )
    updates_case: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="Id of a published case this submission proposes to update."
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        value = value.lower()
        if value not in settings.MANUAL_LOCALES:
            raise PydanticCustomError(
                "unknown_locale",
                "Unknown locale {locale!r}; configured locales: {known}.",
                {"locale": value, "known": ", ".join(settings.MANUAL_LOCALES)},
            )
        return value

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        _known(COUNTRY, [value])
        return value

    @field_validator(*(kind.field for kind in taxonomy_kinds()))
    @classmethod
    def _known_codes(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        kind = next(kind for kind in taxonomy_kinds() if kind.field == info.field_name)
        _known(kind, [value] if isinstance(value, str) else value)
        # Duplicates in a list add nothing; keep the first occurrence's order.
        return value if isinstance(value, str) else list(dict.fromkeys(value))


# --- Answers -------------------------------------------------------------------------------------


class SubmissionCreated(Schema):
    id: UUID
    status: str
    status_url: str = Field(description="Where the submitter follows the status; holds a secret token, keep it.")


class StatusEvent(Schema):
    status: str
    at: datetime
    note: str = Field(description="The editors' note to the submitter (their internal notes are never shown).")


class CaseLink(Schema):
    id: int
    url: str | None


class SubmissionStatusOut(Schema):
    id: UUID
    status: str
    locale: str
    created_at: datetime
    updated_at: datetime
    case: CaseLink | None = Field(description="The published case, once the submission is published.")
    history: list[StatusEvent]
