"""The HTML form of ``/<locale>/submit/``: a thin layer over the submission service.

The form does not judge the case: it turns the posted fields into the submission document (the
JSON of the API) and hands it to ``services.intake.submit``, the one validator. What it adds is
what only a form needs:

- ``SubmissionForm.fields``: every control with its label, value (what was typed, kept when the
  page comes back with errors), choices and error, for the template;
- errors of the service, named with dots (``body.context``, ``links.0.url``), mapped back to the
  controls (``body_context``, ``link_url_0``), with messages chosen by the error code in the
  visitor's language (gettext), the service's English message as a fallback;
- the anti-spam checks of a form (``site_config.formguard``, shared with the accessibility feedback
  form): a honeypot control that people never see, and a minimum time between showing the form and
  posting it (a signed, single-use timestamp, so nothing is kept on the server until the post).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from manual.models import BODY_SECTION_LABELS, BODY_SECTIONS, InitiativeStatus, Licence
from manual.taxonomy_registry import TaxonomyKind, TaxonomyLabels, in_display_order, taxonomy_kinds
from site_config.formguard import HONEYPOT, STARTED, is_bot, min_seconds, started_token  # noqa: F401 - re-exported
from submissions.services.validate import FieldError, UploadedPart

LINK_ROWS = 3
METRIC_ROWS = 3

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

SECTION_LABELS = BODY_SECTION_LABELS  # the form asks for the sections readers see
REQUIRED_SECTIONS = {"context", "objectives", "approach", "results"}


@dataclass
class Control:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, number, email, url, select, checkboxes, checkbox, file
    required: bool = False
    value: Any = ""
    values: list[str] = field(default_factory=list)  # checkboxes
    choices: list[tuple[str, str]] = field(default_factory=list)
    help: Any = ""
    errors: list[str] = field(default_factory=list)
    multiple: bool = False

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


# --- the document ------------------------------------------------------------------------------


def _text(data: QueryDict, name: str) -> str:
    return data.get(name, "")


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


def build_document(data: QueryDict, locale: str) -> dict[str, Any]:
    """The submission document of the API from the posted fields."""
    document: dict[str, Any] = {
        "locale": locale,
        "title": _text(data, "title"),
        "summary": _text(data, "summary"),
        "organisation": _text(data, "organisation"),
        "city": _text(data, "city"),
        "region": _text(data, "region"),
        "country": _text(data, "country"),
        **{kind.field: data.getlist(kind.field) if kind.many else _text(data, kind.field) for kind in taxonomy_kinds()},
        "start_year": _number(_text(data, "start_year")),
        "end_year": _number(_text(data, "end_year")),
        "initiative_status": _text(data, "initiative_status"),
        "body": {name: _text(data, f"body_{name}") for name in BODY_SECTIONS},
        "contact": {
            "name": _text(data, "contact_name"),
            "email": _text(data, "contact_email"),
            "organisation": _text(data, "contact_organisation"),
            "role": _text(data, "contact_role"),
        },
        "consent": {
            "terms": data.get("consent_terms") == "on",
            "publish_contact": data.get("consent_publish_contact") == "on",
            "licence": _text(data, "licence") or None,
        },
    }
    population = _number(_text(data, "population"))
    if population is not None:
        document["population"] = population
    lat, lon = _number(_text(data, "lat")), _number(_text(data, "lon"))
    if lat is not None or lon is not None:
        document["coordinates"] = {"lat": lat, "lon": lon}
    document["links"] = [
        {"title": _text(data, f"link_title_{row}"), "url": _text(data, f"link_url_{row}")}
        for row in range(LINK_ROWS)
        if _text(data, f"link_title_{row}").strip() or _text(data, f"link_url_{row}").strip()
    ]
    metrics = []
    for row in range(METRIC_ROWS):
        label, value, unit = (_text(data, f"metric_{part}_{row}") for part in ("label", "value", "unit"))
        if label.strip() or value.strip() or unit.strip():
            metrics.append({"label": label, "value": _number(value), "unit": unit})
    document["metrics"] = metrics
    if data.get("hero_first") == "on":
        document["hero_attachment"] = 0
    return document


def uploaded_parts(files: MultiValueDict) -> tuple[list[UploadedPart], UploadedPart | None]:
    def part(upload) -> UploadedPart:
        if upload.size > settings.SUBMISSIONS_MAX_FILE_BYTES:
            return UploadedPart(b"", upload.name, size=upload.size)
        return UploadedPart(upload.read(), upload.name, size=upload.size)

    attachments = [part(upload) for upload in files.getlist("attachments") if upload.size or upload.name]
    docx = files.get("body_docx")
    return attachments, part(docx) if docx is not None else None


# --- errors ------------------------------------------------------------------------------------

_ROW_FIELDS = {"links": "link", "metrics": "metric"}


def control_name(dotted: str | None) -> str | None:
    """The control a service error is about: ``links.0.url`` -> ``link_url_0``; None: the whole form."""
    if not dotted:
        return None
    parts = dotted.split(".")
    head = parts[0]
    if head in _ROW_FIELDS and len(parts) >= 3 and parts[1].isdigit():
        return f"{_ROW_FIELDS[head]}_{parts[2]}_{parts[1]}"
    if head in _ROW_FIELDS and len(parts) == 2 and parts[1].isdigit():
        return f"{_ROW_FIELDS[head]}_{'title' if head == 'links' else 'label'}_{parts[1]}"
    if head == "coordinates":
        return parts[1] if len(parts) > 1 and parts[1] in {"lat", "lon"} else "lat"
    if head in {"body", "contact"} and len(parts) > 1:
        return f"{head}_{parts[1]}"
    if head == "consent":
        return "licence" if parts[-1] == "licence" else f"consent_{parts[1]}" if len(parts) > 1 else "consent_terms"
    if head == "attachments" or head in {kind.field for kind in taxonomy_kinds() if kind.many}:
        return head
    if head == "hero_attachment":
        return "hero_first"
    if head in {"locale", "updates_case", "links", "metrics"}:
        return None if head in {"locale", "updates_case"} else head
    return head


def message_for(error: FieldError) -> str:
    message = MESSAGES.get(error.code)
    return str(message) if message is not None else error.message


# --- the controls ------------------------------------------------------------------------------


class SubmissionForm:
    """The controls of the form in their fieldsets, with the posted values and the errors."""

    def __init__(self, language_code: str, data: QueryDict | None = None, errors: list[FieldError] = ()) -> None:
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
        self.fieldsets = self._fieldsets()
        known = {control.name for fieldset in self.fieldsets for control in fieldset.controls}
        for name, messages in self.field_errors.items():
            if name not in known:  # an error about a control the form lacks: shown at the top
                self.form_errors.extend(messages)

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

    def _control(self, name: str, label: Any, kind: str = "text", **options: Any) -> Control:
        control = Control(name=name, label=label, kind=kind, errors=self.field_errors.get(name, []), **options)
        if kind == "checkboxes":
            control.values = self.data.getlist(name)
        elif kind == "checkbox":
            control.value = self.data.get(name) == "on"
        elif kind != "file":
            control.value = self.data.get(name, "")
        return control

    def _classification(self, kind: TaxonomyKind, blank: list[tuple[str, Any]]) -> Control:
        """A taxonomy's control: checkboxes when a case has several terms, a list to choose one otherwise."""
        choices = [(term["code"], term["label"]) for term in self._labels.terms_of(kind.model)]
        if kind.many:
            return self._control(kind.field, kind.label_in_form, "checkboxes", required=True, choices=choices)
        return self._control(kind.field, kind.label_in_form, "select", required=True, choices=blank + choices)

    def _fieldsets(self) -> list[Fieldset]:
        self._labels = TaxonomyLabels(self.language_code)
        c = self._control
        blank = [("", _("Choose…"))]
        sets = [
            Fieldset(
                _("The case"),
                [
                    c("title", _("Title"), required=True),
                    c(
                        "summary",
                        _("Summary"),
                        "textarea",
                        required=True,
                        help=_("Two or three sentences shown in lists and search."),
                    ),
                    c("organisation", _("Organisation running the initiative"), required=True),
                ],
            ),
            Fieldset(
                _("Where"),
                [
                    c("city", _("City")),
                    c("region", _("Region")),
                    c("country", _("Country"), "select", required=True, choices=blank + list(countries)),
                    c("population", _("Population"), "number", help=_("Inhabitants of the jurisdiction.")),
                    c("lat", _("Latitude"), "text", help=_("Decimal degrees, e.g. 58.378; give both or neither.")),
                    c("lon", _("Longitude"), "text"),
                ],
            ),
            Fieldset(
                _("Classification"),
                [self._classification(kind, blank) for kind in in_display_order(taxonomy_kinds())],
            ),
            Fieldset(
                _("When"),
                [
                    c("start_year", _("Start year"), "number", required=True),
                    c("end_year", _("End year"), "number", help=_("Required when the initiative is completed.")),
                    c(
                        "initiative_status",
                        _("Status of the initiative"),
                        "select",
                        required=True,
                        choices=blank + [(value, str(label)) for value, label in InitiativeStatus.choices],
                    ),
                ],
            ),
            Fieldset(
                _("The story"),
                [
                    c(
                        f"body_{name}",
                        SECTION_LABELS[name],
                        "textarea",
                        required=name in REQUIRED_SECTIONS,
                    )
                    for name in BODY_SECTIONS
                ],
            ),
        ]
        links = []
        for row in range(LINK_ROWS):
            links += [
                c(f"link_title_{row}", _("Link %(number)s: title") % {"number": row + 1}),
                c(f"link_url_{row}", _("Link %(number)s: address") % {"number": row + 1}, "url"),
            ]
        sets.append(Fieldset(_("Links"), links))
        metrics = []
        for row in range(METRIC_ROWS):
            metrics += [
                c(f"metric_label_{row}", _("Figure %(number)s: what was measured") % {"number": row + 1}),
                c(f"metric_value_{row}", _("Figure %(number)s: value") % {"number": row + 1}, "text"),
                c(f"metric_unit_{row}", _("Figure %(number)s: unit") % {"number": row + 1}),
            ]
        sets.append(Fieldset(_("Results in figures"), metrics))
        sets.append(
            Fieldset(
                _("Files"),
                [
                    c(
                        "attachments",
                        _("Attachments"),
                        "file",
                        multiple=True,
                        help=_("PDF, DOCX, ODT, PNG, JPEG or WebP; up to 10 files of 10 MB, 25 MB in all."),
                    ),
                    c("hero_first", _("Show the first attachment (an image) on the case"), "checkbox"),
                    c(
                        "body_docx",
                        _("The story as a Word document (optional)"),
                        "file",
                        help=_(
                            "A .docx file whose headings (Context, Objectives, Approach, Technology, Results, "
                            "Lessons learned, Transferability) fill the sections of the story."
                        ),
                    ),
                ],
            )
        )
        sets.append(
            Fieldset(
                _("About you"),
                [
                    c("contact_name", _("Your name"), required=True),
                    c("contact_email", _("Your e-mail address"), "email", required=True),
                    c("contact_organisation", _("Your organisation")),
                    c("contact_role", _("Your role")),
                ],
            )
        )
        sets.append(
            Fieldset(
                _("Consent"),
                [
                    c("consent_terms", _("I accept the terms of submission"), "checkbox", required=True),
                    c("consent_publish_contact", _("Show my name, role and e-mail on the published case"), "checkbox"),
                    c("licence", _("Licence of the text"), "select", choices=list(Licence.choices)),
                ],
            )
        )
        return sets


# --- editing a submission sent back for changes ------------------------------------------------


def _form_number(value: Any) -> str:
    return "" if value is None else str(value)


def initial_data(payload: dict[str, Any], contact: Any) -> QueryDict:
    """The form's fields from a stored submission: the inverse of ``build_document``."""
    data = QueryDict(mutable=True)
    single = {
        "title": payload.get("title"),
        "summary": payload.get("summary"),
        "organisation": payload.get("organisation"),
        "city": payload.get("city"),
        "region": payload.get("region"),
        "country": (payload.get("country") or "").upper(),
        **{kind.field: payload.get(kind.field) for kind in taxonomy_kinds() if not kind.many},
        "start_year": _form_number(payload.get("start_year")),
        "end_year": _form_number(payload.get("end_year")),
        "initiative_status": payload.get("initiative_status"),
        "population": _form_number(payload.get("population")),
    }
    coordinates = payload.get("coordinates") or {}
    single["lat"] = _form_number(coordinates.get("lat"))
    single["lon"] = _form_number(coordinates.get("lon"))
    for name in BODY_SECTIONS:
        single[f"body_{name}"] = (payload.get("body") or {}).get(name)
    for row, link in enumerate((payload.get("links") or [])[:LINK_ROWS]):
        single[f"link_title_{row}"] = link.get("title")
        single[f"link_url_{row}"] = link.get("url")
    for row, metric in enumerate((payload.get("metrics") or [])[:METRIC_ROWS]):
        single[f"metric_label_{row}"] = metric.get("label")
        single[f"metric_value_{row}"] = _form_number(metric.get("value"))
        single[f"metric_unit_{row}"] = metric.get("unit")
    if contact is not None:
        single.update(
            contact_name=contact.name,
            contact_email=contact.email,
            contact_organisation=contact.organisation,
            contact_role=contact.role,
            licence=contact.licence,
        )
        if contact.consent_terms:
            single["consent_terms"] = "on"
        if contact.consent_publish_contact:
            single["consent_publish_contact"] = "on"
    if payload.get("hero_attachment") == 0:
        single["hero_first"] = "on"
    for name, value in single.items():
        if value is not None:
            data[name] = str(value)
    for kind in taxonomy_kinds():
        if kind.many:
            data.setlist(kind.field, list(payload.get(kind.field) or []))
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
