"""What the dumps mean: the JSON Schema of a record and the CSV codebook of every column and code.

Both are derived from the declarations the dumps are written from: the record's fields
(``records.case_record``), the CSV's columns (``columns.csv_columns``) and, for the codes, the
classifications of ``manual.taxonomy_registry`` with their labels in every configured language.
They are built per request (no database reading beyond the cached labels): small, and always
current with the terms editors add.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Protocol

from django.conf import settings
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, create_model

from manual.case_facts import CASE_FACTS, CHOICE, COUNT, CaseFact
from manual.models import BODY_SECTIONS, InitiativeStatus, Licence
from manual.taxonomy_registry import CaseFilter
from opendata.services.columns import LIST_SEPARATOR, csv_columns
from opendata.services.records import EXPORT_FORMAT, classifications, licence_name, status_label


class Vocabulary(Protocol):
    """Codes and their labels per language: a classification of the registry, or one below."""

    def accepted_codes(self) -> list[str]: ...

    def label(self, code: str, language_code: str | None) -> str: ...


class _Statuses:
    def accepted_codes(self) -> list[str]:
        return list(InitiativeStatus.values)

    def label(self, code: str, language_code: str | None) -> str:
        return status_label(code, language_code or settings.MANUAL_LOCALES[0])


class _Licences:
    def accepted_codes(self) -> list[str]:
        return list(Licence.values)

    def label(self, code: str, language_code: str | None) -> str:
        return licence_name(code)


class _FactCodes:
    """The codes of a choice among the case facts (manual.case_facts)."""

    def __init__(self, fact: CaseFact) -> None:
        self.fact = fact

    def accepted_codes(self) -> list[str]:
        return self.fact.codes()

    def label(self, code: str, language_code: str | None) -> str:
        return self.fact.label_of(code, language_code or settings.MANUAL_LOCALES[0]) or code


class _Locales:
    def accepted_codes(self) -> list[str]:
        return list(settings.MANUAL_LOCALES)

    def label(self, code: str, language_code: str | None) -> str:
        with translation.override(language_code):
            return str(translation.get_language_info(code)["name_translated"])


def vocabularies() -> dict[str, Vocabulary]:
    """Column name -> the codes it may hold."""
    found: dict[str, Vocabulary] = {item.field: item for item in classifications()}
    found.update({"initiative_status": _Statuses(), "licence": _Licences(), "locale": _Locales()})
    found.update({fact.name: _FactCodes(fact) for fact in CASE_FACTS if fact.kind == CHOICE})
    return found


CODEBOOK_HEADER = ("column", "type", "description", "code")


def codebook_rows() -> list[list[str]]:
    """Every CSV column, each followed by its codes with their labels in every language."""
    languages = list(settings.MANUAL_LOCALES)
    codes = vocabularies()
    rows = [[*CODEBOOK_HEADER, *(f"label_{language}" for language in languages)]]
    for column in csv_columns():
        rows.append([column.name, column.type, column.description, "", *([""] * len(languages))])
        vocabulary = codes.get(column.name)
        if vocabulary is None:
            continue
        for code in vocabulary.accepted_codes():
            rows.append([column.name, "code", "", code, *(vocabulary.label(code, language) for language in languages)])
    return rows


def codebook_csv() -> str:
    out = io.StringIO()
    csv.writer(out).writerows(codebook_rows())
    return out.getvalue()


# --- The JSON Schema of a record -------------------------------------------------------------------


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Coordinates(_Closed):
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees (WGS 84).")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees (WGS 84).")


class Link(_Closed):
    title: str
    url: str = Field(json_schema_extra={"format": "uri"})


class Metric(_Closed):
    label: str = Field(description="What the metric counts.")
    value: float = Field(description="A number (not a string).")
    unit: str = ""


_SECTIONS: dict[str, Any] = {
    name: (str, Field(description=f"The {name} section (HTML; may be empty).")) for name in BODY_SECTIONS
}
Body = create_model("Body", __base__=_Closed, **_SECTIONS)


def _codes_type(item: CaseFilter) -> Any:
    return (list[str], ...) if item.many else (str | None, ...)


def _fact_type(fact: CaseFact) -> Any:
    if fact.kind == CHOICE:
        codes: Any = fact.choices
        return codes | None
    return int | None if fact.kind == COUNT else str


def record_model() -> type[BaseModel]:
    """The record as a pydantic model: its JSON Schema is the dump's, and tests validate records with it."""
    described = {column.name: column.description for column in csv_columns()}
    vocabulary = vocabularies()

    def field(name: str, kind: Any, **extra: Any) -> tuple[Any, Any]:
        if name in vocabulary and not extra.get("json_schema_extra"):
            extra["json_schema_extra"] = {"x-codes": f"/api/v1/export/codebook.csv (column {name})"}
        return kind, Field(description=described.get(name, ""), **extra)

    # The codes and their labels have the same shape: a list for a kind with many terms, else one or null.
    labelled: dict[str, Any] = {item.field: _codes_type(item) for item in classifications()}
    fact_labels: dict[str, Any] = {
        fact.name: (str | None, Field(description="The label of the code in the record's language; null without."))
        for fact in CASE_FACTS
        if fact.kind == CHOICE
    }
    facts: dict[str, Any] = {fact.name: field(fact.name, _fact_type(fact)) for fact in CASE_FACTS}
    labels = create_model(
        "Labels",
        __base__=_Closed,
        initiative_status=(str, Field(description="The status in the record's language.")),
        **labelled,
        **fact_labels,
    )
    labels.__doc__ = "The labels of the record's codes in its language, in the order of the codes."
    return create_model(
        "CaseRecord",
        __base__=_Closed,
        id=field("id", str),
        page_id=field("page_id", int),
        translation_key=field("translation_key", str, json_schema_extra={"format": "uuid"}),
        url=field("url", str, json_schema_extra={"format": "uri"}),
        first_published=field("first_published", str | None, json_schema_extra={"format": "date-time"}),
        last_modified=field("last_modified", str | None, json_schema_extra={"format": "date-time"}),
        licence=field("licence", Licence),
        licence_name=field("licence_name", str),
        licence_url=field("licence_url", str, json_schema_extra={"format": "uri"}),
        attribution=field("attribution", str),
        locale=field("locale", str, json_schema_extra={"enum": list(settings.MANUAL_LOCALES)}),
        title=field("title", str),
        summary=field("summary", str),
        organisation=field("organisation", str),
        city=field("city", str),
        region=field("region", str),
        coordinates=(Coordinates | None, Field(description="Where the initiative took place; null when unknown.")),
        population=field("population", int | None),
        **labelled,
        start_year=field("start_year", int),
        end_year=field("end_year", int | None),
        initiative_status=field("initiative_status", InitiativeStatus),
        **facts,
        body=(Body, Field(description="The case told in sections (HTML).")),
        links=(list[Link], Field(description="Links about the initiative.")),
        metrics=(list[Metric], Field(description="Outcome metrics: numbers with units.")),
        labels=(labels, Field(description="Labels of the codes in the record's language.")),
    )


def record_schema(schema_url: str) -> dict[str, Any]:
    """The JSON Schema of one record of ``cases.json`` (and of a GeoJSON feature's properties, less
    ``body`` and ``coordinates``)."""
    schema = record_model().model_json_schema()
    for item in classifications():
        title = str(item.title)
        described = f"{title}: " + ("codes." if item.many else "code.")
        schema["properties"][item.field]["description"] = described
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url,
        "title": "A case record of the manual's open data",
        "description": f"One case in one language, an item of `cases` in cases.json (format {EXPORT_FORMAT}). "
        f"The CSV dump flattens it (lists joined with `{LIST_SEPARATOR}`): see codebook.csv.",
    }
