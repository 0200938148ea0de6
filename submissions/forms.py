"""The HTML form of ``/<locale>/submit/``: a thin layer over the submission service.

The form does not judge the case: it turns the posted fields into the submission document (the
JSON of the API, ``schemas.SubmissionIn``) and hands it to ``services.intake.submit``, the one
validator. Every control is declared once, in ``FORM``: its name, label, help, widget, the fieldset
it shows in, and the path of its value in the document (``links.0.url``). All the rest is derived
from that declaration and the schema:

- ``build_document``: the document from the posted fields, and ``initial_data``, its inverse (the
  fields of a stored submission, to correct it);
- ``control_name``: the control a service error is about (``links.0.url`` -> ``link_url_0``);
- which controls are required: those whose path the schema requires;
- ``SubmissionForm``: the controls in their fieldsets, with what was typed (kept when the page
  comes back with errors), their choices and their errors, for the template.

What only a form needs besides: messages chosen by error code in the visitor's language (gettext),
the service's English message as a fallback; and the anti-spam checks of a form
(``core.formguard``, shared with the accessibility feedback form): a honeypot control that
people never see, and a minimum time between showing the form and posting it (a signed,
single-use timestamp, so nothing is kept on the server until the post).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from pydantic import BaseModel

from core.formguard import started_token
from manual.case_facts import CASE_FACTS, CHOICE, COUNT, TEXT, URL, CaseFact
from manual.models import BODY_SECTION_LABELS, BODY_SECTIONS, InitiativeStatus, Licence
from manual.taxonomy_registry import TaxonomyLabels, in_display_order, taxonomy_kinds
from submissions.schemas import SubmissionIn
from submissions.services.intake import read_part
from submissions.services.validate import FieldError, UploadedPart

if TYPE_CHECKING:
    # A str or a lazy translation (gettext_lazy), as the stubs' companion package names it.
    from django_stubs_ext import StrOrPromise

LINK_ROWS = 3
METRIC_ROWS = 3
ATTACHMENT_TYPES = ".pdf,.docx,.odt,.png,.jpg,.jpeg,.webp"

# Messages by error code, in the visitor's language; the service's message is the fallback.
MESSAGES = {
    "required": _("This field is required."),
    "consent_required": _("Please accept the terms to send your case."),
    "too_long": _("This text is too long."),
    "too_short": _("This text is too short."),
    "invalid_characters": _("Remove control characters from this text."),
    "invalid_url": _("Enter a full address starting with http:// or https://."),
    "invalid_email": _("Enter a valid e-mail address."),
    "unknown_code": _("Choose one of the options offered."),
    "invalid_choice": _("Choose one of the options offered."),
    "unknown_locale": _("Cases cannot be submitted in this language yet."),
    "out_of_range": _("This value is out of range."),
    "too_precise": _("Use at most two decimals."),
    "invalid": _("This value is not valid."),
    "file_too_large": _("This file is too large."),
    "total_too_large": _("The files are too large together."),
    "too_many_files": _("Too many files."),
    "unsupported_type": _("This type of file is not accepted (PDF, DOCX, ODT, PNG, JPEG or WebP)."),
    "invalid_document": _("This document cannot be read."),
    "invalid_image": _("This image cannot be read."),
    "image_too_large": _("This image has too many pixels."),
    "archive_too_large": _("This document unpacks to too much data."),
    "empty_file": _("This file is empty."),
    "not_an_image": _("The first attachment must be an image to be shown on the case."),
}


# --- how a posted value becomes the document's, and back -----------------------------------------


def _number(value: str) -> Any:
    """An int or float when the text is one; otherwise the text, for the validator to refuse by name."""
    value = value.strip().replace(",", ".") if value else ""
    if value == "":
        return None
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    try:
        return float(value)
    except ValueError:
        return value


def _form_number(value: Any) -> str:
    return "" if value is None else str(value)


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Value:
    """How a control's posted value (text, a checkbox's state, a list of choices) becomes the
    document's value, and how a stored value goes back into the control."""

    to_document: Callable[[Any], Any] = _same
    to_form: Callable[[Any], Any] = _same


NUMBER = Value(_number, _form_number)
COUNTRY = Value(to_form=lambda code: (code or "").upper())  # the select's options are upper case
LICENCE = Value(to_document=lambda chosen: chosen or None)  # none chosen: SUBMISSIONS_DEFAULT_LICENCE
FIRST_IMAGE = Value(lambda checked: 0 if checked else None, lambda index: index == 0)  # hero_attachment


# --- the declaration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """One control of the form, declared once."""

    name: str  # the control's name; its id is ``id_<name>``
    label: Any
    kind: str = "text"  # text, textarea, number, email, url, select, checkboxes, checkbox, file
    # Where its value sits in the document, dotted; by default its name (a file control: the part's).
    path: str = ""
    help: Any = ""
    value: Value = Value()
    choices: Callable[[], list[tuple[str, str]]] | None = None
    taxonomy: str | None = None  # the choices are this taxonomy's terms (``taxonomy_choices``)
    # Left out of the document when nothing is typed in it; a field of a row (a link, a figure) or
    # of the coordinates: the row is left out when nothing is typed in any of its fields.
    optional: bool = False
    multiple: bool = False  # a file control taking several files
    accept: str = ""  # a file control's types

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", self.name)


@dataclass(frozen=True)
class FormPart:
    """A fieldset of the form: its legend and its controls, in order."""

    legend: Any
    fields: tuple[FormField, ...]


def _numbered(message: Any, number: int) -> Any:
    """``message`` with its ``%(number)s`` filled in the language active when it is shown."""
    return lazy(lambda: str(message) % {"number": number}, str)()


def _rows(path: str, prefix: str, count: int, *columns: FormField) -> tuple[FormField, ...]:
    """``count`` rows of the document's list ``path``, a control per column: ``<prefix>_<column>_<row>``."""
    return tuple(
        replace(
            column,
            name=f"{prefix}_{column.name}_{row}",
            label=_numbered(column.label, row + 1),
            path=f"{path}.{row}.{column.path}",
            optional=True,
        )
        for row in range(count)
        for column in columns
    )


_FACT_CONTROLS = {COUNT: "number", CHOICE: "select", TEXT: "text", URL: "url"}


def _fact_choices(fact: CaseFact) -> list[tuple[str, str]]:
    assert fact.choices is not None
    return [("", str(_("Not stated"))), *((value, str(label)) for value, label in fact.choices.choices)]


def _fact_control(fact: CaseFact) -> FormField:
    """The control of an optional fact: a number, a choice that may stay unstated, a text or a link."""
    extra: dict[str, Any] = {}
    if fact.kind == COUNT:
        extra["value"] = NUMBER
    elif fact.kind == CHOICE:
        extra["choices"] = partial(_fact_choices, fact)
    return FormField(fact.name, fact.label, _FACT_CONTROLS[fact.kind], help=fact.help_text, optional=True, **extra)


FORM: tuple[FormPart, ...] = (
    FormPart(
        _("The case"),
        (
            FormField("title", _("Title")),
            FormField("summary", _("Summary"), "textarea", help=_("Two or three sentences shown in lists and search.")),
            FormField("organisation", _("Organisation running the initiative")),
        ),
    ),
    FormPart(
        _("Where"),
        (
            FormField("city", _("City")),
            FormField("region", _("Region")),
            FormField("country", _("Country"), "select", value=COUNTRY, choices=lambda: list(countries)),
            FormField(
                "population",
                _("Population"),
                "number",
                help=_("Inhabitants of the jurisdiction."),
                value=NUMBER,
                optional=True,
            ),
            FormField(
                "lat",
                _("Latitude"),
                path="coordinates.lat",
                help=_("Decimal degrees, e.g. 58.378; give both or neither."),
                value=NUMBER,
                optional=True,
            ),
            FormField("lon", _("Longitude"), path="coordinates.lon", value=NUMBER, optional=True),
        ),
    ),
    FormPart(
        _("Classification"),
        # One control per taxonomy kind, as the registry declares it (manual.taxonomy_registry).
        tuple(
            FormField(kind.field, kind.label_in_form, "checkboxes" if kind.many else "select", taxonomy=kind.key)
            for kind in in_display_order(taxonomy_kinds())
        ),
    ),
    FormPart(
        _("When"),
        (
            FormField("start_year", _("Start year"), "number", value=NUMBER),
            FormField(
                "end_year", _("End year"), "number", help=_("Required when the initiative is completed."), value=NUMBER
            ),
            FormField(
                "initiative_status",
                _("Status of the initiative"),
                "select",
                choices=lambda: [(value, str(label)) for value, label in InitiativeStatus.choices],
            ),
        ),
    ),
    # Every fact optional, as declared (manual.case_facts); a choice may be left unstated.
    FormPart(
        _("Participation and evaluation"),
        tuple(_fact_control(fact) for fact in CASE_FACTS),
    ),
    # The form asks for the sections readers see, under the headings they see.
    FormPart(
        _("The story"),
        tuple(
            FormField(f"body_{name}", BODY_SECTION_LABELS[name], "textarea", path=f"body.{name}")
            for name in BODY_SECTIONS
        ),
    ),
    FormPart(
        _("Links"),
        _rows(
            "links",
            "link",
            LINK_ROWS,
            FormField("title", _("Link %(number)s: title")),
            FormField("url", _("Link %(number)s: address"), "url"),
        ),
    ),
    FormPart(
        _("Results in figures"),
        _rows(
            "metrics",
            "metric",
            METRIC_ROWS,
            FormField("label", _("Figure %(number)s: what was measured")),
            FormField("value", _("Figure %(number)s: value"), value=NUMBER),
            FormField("unit", _("Figure %(number)s: unit")),
        ),
    ),
    FormPart(
        _("Files"),
        (
            FormField(
                "attachments",
                _("Attachments"),
                "file",
                help=_("PDF, DOCX, ODT, PNG, JPEG or WebP; up to 10 files of 10 MB, 25 MB in all."),
                multiple=True,
                accept=ATTACHMENT_TYPES,
            ),
            FormField(
                "hero_first",
                _("Show the first attachment (an image) on the case"),
                "checkbox",
                path="hero_attachment",
                value=FIRST_IMAGE,
                optional=True,
            ),
            FormField(
                "body_docx",
                _("The story as a Word document (optional)"),
                "file",
                help=_(
                    "A .docx file whose headings (Context, Objectives, Approach, Technology, Results, "
                    "Lessons learned, Transferability) fill the sections of the story."
                ),
                accept=".docx",
            ),
        ),
    ),
    FormPart(
        _("About you"),
        (
            FormField("contact_name", _("Your name"), path="contact.name"),
            FormField("contact_email", _("Your e-mail address"), "email", path="contact.email"),
            FormField("contact_organisation", _("Your organisation"), path="contact.organisation"),
            FormField("contact_role", _("Your role"), path="contact.role"),
        ),
    ),
    FormPart(
        _("Consent"),
        (
            FormField("consent_terms", _("I accept the terms of submission"), "checkbox", path="consent.terms"),
            FormField(
                "consent_publish_contact",
                _("Show my name, role and e-mail on the published case"),
                "checkbox",
                path="consent.publish_contact",
            ),
            FormField(
                "licence",
                _("Licence of the text"),
                "select",
                path="consent.licence",
                value=LICENCE,
                choices=lambda: list(Licence.choices),
            ),
        ),
    ),
)

FIELDS: tuple[FormField, ...] = tuple(item for part in FORM for item in part.fields)
# The controls whose values make the document (files travel as parts beside it).
DOCUMENT_FIELDS: tuple[FormField, ...] = tuple(item for item in FIELDS if item.kind != "file")
_BY_PATH = {item.path: item.name for item in FIELDS}


# --- taxonomy choices ----------------------------------------------------------------------------


def taxonomy_choices(language_code: str) -> dict[str, list[tuple[str, str]]]:
    """(code, label) of the terms of every taxonomy, by its key, labelled in the form's language.

    The form's only taxonomy code: the controls name their taxonomy (``FormField.taxonomy``).
    """
    labels = TaxonomyLabels(language_code)
    return {
        kind.key: [(term["code"], term["label"]) for term in labels.terms_of(kind.model)] for kind in taxonomy_kinds()
    }


# --- required, as the schema says --------------------------------------------------------------


def _model_in(annotation: Any) -> type[BaseModel]:
    """The pydantic model of an annotation: the model itself, or the model of ``Model | None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        return next(arg for arg in get_args(annotation) if isinstance(arg, type) and issubclass(arg, BaseModel))
    return annotation


def schema_requires(path: str) -> bool:
    """Whether ``schemas.SubmissionIn`` needs a value at ``path``: every step of it is required.

    A row of a list (``links.0.title``) is not: the list may be empty. The form marks these
    controls required, so the marks cannot drift from the one validator.
    """
    annotation: Any = SubmissionIn
    for part in path.split("."):
        if part.isdigit():
            annotation = get_args(annotation)[0]  # list[Item] -> Item; the list was judged at its own step
            continue
        model_field = _model_in(annotation).model_fields.get(part)
        if model_field is None or not model_field.is_required():
            return False
        annotation = model_field.annotation
    return True


REQUIRED = frozenset(item.name for item in DOCUMENT_FIELDS if schema_requires(item.path))


# --- the document ------------------------------------------------------------------------------


def _posted(data: QueryDict, item: FormField) -> Any:
    """What the control holds: its text, its state (a checkbox) or its chosen values (checkboxes)."""
    if item.kind == "checkboxes":
        return data.getlist(item.name)
    if item.kind == "checkbox":
        return data.get(item.name) == "on"
    return data.get(item.name, "")


def _blank(posted: Any) -> bool:
    return not posted.strip() if isinstance(posted, str) else not posted


def _unit(item: FormField) -> str:
    """What is left out together when nothing is typed: the field itself, or the row (object) holding it."""
    return item.path.rsplit(".", 1)[0] if "." in item.path else item.path


class _Rows(dict):
    """A list of the document in the making: its rows by index, some of them left out."""


def _as_document(node: Any) -> Any:
    if isinstance(node, _Rows):
        return [_as_document(node[index]) for index in sorted(node)]
    if isinstance(node, dict):
        return {key: _as_document(value) for key, value in node.items()}
    return node


def build_document(data: QueryDict, locale: str) -> dict[str, Any]:
    """The submission document of the API from the posted fields."""
    posted = {item.name: _posted(data, item) for item in DOCUMENT_FIELDS}
    filled = {_unit(item) for item in DOCUMENT_FIELDS if not (item.optional and _blank(posted[item.name]))}
    document: dict[str, Any] = {"locale": locale}
    for item in DOCUMENT_FIELDS:
        kept = _unit(item) in filled
        *steps, last = item.path.split(".")
        node: dict = document
        for step, following in zip(steps, [*steps, last][1:], strict=True):
            if not (kept or following.isdigit()):
                break  # left out, and its object with it; a list is sent even with no row kept
            node = node.setdefault(int(step) if step.isdigit() else step, _Rows() if following.isdigit() else {})
        else:
            if kept:
                node[last] = item.value.to_document(posted[item.name])
    return _as_document(document)


def uploaded_parts(files: MultiValueDict) -> tuple[list[UploadedPart], UploadedPart | None]:
    attachments = [read_part(upload) for upload in files.getlist("attachments") if upload.size or upload.name]
    docx = files.get("body_docx")
    return attachments, read_part(docx) if docx is not None else None


# --- errors ------------------------------------------------------------------------------------


def control_name(dotted: str | None) -> str | None:
    """The control a service error is about: ``links.0.url`` -> ``link_url_0``; None: the whole form.

    An item of a list control (``stages.2``, ``attachments.1``) is that control's; a row or object
    as a whole (``links.0``, ``coordinates``, ``consent``), its first control's.
    """
    if not dotted:
        return None
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        name = _BY_PATH.get(".".join(parts[:end]))
        if name is not None:
            return name
    return next((item.name for item in FIELDS if _unit(item) == dotted and item.path != dotted), None)


def message_for(error: FieldError) -> str:
    message = MESSAGES.get(error.code)
    return str(message) if message is not None else error.message


# --- the controls ------------------------------------------------------------------------------


@dataclass
class Control:
    name: str
    label: Any
    kind: str = "text"
    required: bool = False
    value: Any = ""
    values: list[str] = field(default_factory=list)  # checkboxes
    choices: Sequence[tuple[str, StrOrPromise]] = field(default_factory=list)
    help: Any = ""
    errors: list[str] = field(default_factory=list)
    multiple: bool = False
    accept: str = ""

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"

    @property
    def help_id(self) -> str:
        return f"{self.name}-help"

    @property
    def described_by(self) -> str:
        ids = [self.help_id] if self.help else []
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)


@dataclass
class Fieldset:
    legend: Any
    controls: list[Control]


class SubmissionForm:
    """The controls of the form in their fieldsets, with the posted values and the errors."""

    def __init__(self, language_code: str, data: QueryDict | None = None, errors: Sequence[FieldError] = ()) -> None:
        self.language_code = language_code
        self.data = data if data is not None else QueryDict()
        self.field_errors: dict[str, list[str]] = {}
        self.form_errors: list[str] = []
        for error in errors:
            name = control_name(error.field)
            if name is None:
                self.form_errors.append(message_for(error))
            else:
                self.field_errors.setdefault(name, []).append(message_for(error))
        self.started = started_token()
        terms = taxonomy_choices(language_code)
        self.fieldsets = [Fieldset(part.legend, [self._control(item, terms) for item in part.fields]) for part in FORM]

    @property
    def has_errors(self) -> bool:
        return bool(self.field_errors or self.form_errors)

    @property
    def error_summary(self) -> list[tuple[str, Any, str]]:
        """(control name, label, message) of every control error, for the summary at the top."""
        return [
            (control.name, control.label, message)
            for fieldset in self.fieldsets
            for control in fieldset.controls
            for message in control.errors
        ]

    def _control(self, item: FormField, terms: dict[str, list[tuple[str, str]]]) -> Control:
        required = item.name in REQUIRED
        choices: Sequence[tuple[str, StrOrPromise]] = (
            terms[item.taxonomy] if item.taxonomy else item.choices() if item.choices else []
        )
        if item.kind == "select" and required:
            choices = [("", _("Choose…")), *choices]  # nothing is chosen for the visitor
        control = Control(
            name=item.name,
            label=item.label,
            kind=item.kind,
            required=required,
            choices=choices,
            help=item.help,
            errors=self.field_errors.get(item.name, []),
            multiple=item.multiple,
            accept=item.accept,
        )
        if item.kind == "checkboxes":
            control.values = _posted(self.data, item)
        elif item.kind != "file":
            control.value = _posted(self.data, item)
        return control


# --- editing a submission sent back for changes ------------------------------------------------


def _stored(document: Any, path: str) -> Any:
    """The value at ``path`` in a stored document; None where it has none."""
    node = document
    for step in path.split("."):
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node


def initial_data(payload: dict[str, Any], contact: Any) -> QueryDict:
    """The form's fields from a stored submission: the inverse of ``build_document``.

    The payload holds the case; the submitter and their consent come from their contact row.
    """
    document = {key: value for key, value in payload.items() if key not in ("contact", "consent")}
    if contact is not None:
        document["contact"] = {
            "name": contact.name,
            "email": contact.email,
            "organisation": contact.organisation,
            "role": contact.role,
        }
        document["consent"] = {
            "terms": contact.consent_terms,
            "publish_contact": contact.consent_publish_contact,
            "licence": contact.licence,
        }
    data = QueryDict(mutable=True)
    for item in DOCUMENT_FIELDS:
        value = item.value.to_form(_stored(document, item.path))
        if item.kind == "checkboxes":
            data.setlist(item.name, list(value or []))
        elif item.kind == "checkbox":
            if value:
                data[item.name] = "on"
        elif value is not None:
            data[item.name] = str(value)
    return data


def build_edit_document(data: QueryDict, payload: dict[str, Any]) -> dict[str, Any]:
    """The corrected document: the form's fields, with what the form cannot show kept from ``payload``."""
    document = build_document(data, payload.get("locale") or "")
    if payload.get("updates_case") is not None:
        document["updates_case"] = payload["updates_case"]
    hero = payload.get("hero_attachment")
    if "hero_attachment" not in document and hero not in (None, 0):
        document["hero_attachment"] = hero  # an image other than the first, chosen through the API
    return document
