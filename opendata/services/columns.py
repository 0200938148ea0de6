"""The CSV dump's columns, each declared once: its name, type, description and how a record gives it.

One row per case and locale. Lists are joined with ``LIST_SEPARATOR`` (``|``); a ``|`` or ``\\``
inside a value is escaped with a backslash (``\\|``, ``\\\\``), so splitting on unescaped ``|`` gives
the list back. Classifications have two columns: the codes (``topics``) and their labels in the
row's language (``topics_labels``), in the same order. Links and metrics are parallel lists
(``link_titles`` and ``link_urls`` pair by position). The codebook (``services.codebook``) describes
the same columns, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from manual.case_facts import CASE_FACTS, CHOICE, COUNT, URL, CaseFact
from manual.models import BODY_SECTIONS
from manual.taxonomy_registry import CaseFilter
from opendata.services.records import classifications

LIST_SEPARATOR = "|"


def escape(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)


def joined(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(escape(value) for value in values)


def split(cell: str) -> list[str]:
    """A list column's values again (the inverse of ``joined``), for readers of the CSV and the tests."""
    values, current, escaped = [], [], False
    for character in cell:
        if escaped:
            current.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == LIST_SEPARATOR:
            values.append("".join(current))
            current = []
        else:
            current.append(character)
    if cell:
        values.append("".join(current))
    return values


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, date-time, url, html, code, list of codes, list of strings ...
    description: str
    value: Callable[[dict[str, Any]], Any]  # the cell, from the JSON record
    codes: CaseFilter | None = None  # the classification whose codes the column holds (the codebook lists them)


def _field(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record[name]


def _coordinate(axis: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record["coordinates"][axis] if record["coordinates"] else None


def _each(name: str, key: str) -> Callable[[dict[str, Any]], str]:
    return lambda record: joined([item[key] for item in record[name]])


def _classification_columns(item: CaseFilter) -> list[Column]:
    title = str(item.title)
    if item.many:
        return [
            Column(item.field, "list of codes", f"{title}: codes, joined with |.", _list(item.field), item),
            Column(f"{item.field}_labels", "list of strings", f"{title}: labels in the row's language, as the codes.",
                   _list(item.field, labels=True)),
        ]  # fmt: skip
    return [
        Column(item.field, "code", f"{title}: code.", _field(item.field), item),
        Column(f"{item.field}_label", "string", f"{title}: label in the row's language.", _label(item.field)),
    ]


_FACT_TYPES = {COUNT: "integer", CHOICE: "code", URL: "url"}


def fact_title(fact: CaseFact) -> str:
    """A fact's label in English: the dumps describe themselves in English."""
    with translation.override(None):
        return str(fact.label)


def _fact_columns(fact: CaseFact) -> list[Column]:
    """A participation or evaluation fact (manual.case_facts): its value; a choice's code and label."""
    title = fact_title(fact)
    if fact.kind != CHOICE:
        empty = "empty when unknown" if fact.kind != COUNT else "empty when unknown; at least 1"
        return [Column(fact.name, _FACT_TYPES.get(fact.kind, "string"), f"{title} ({empty}).", _field(fact.name))]
    codes = ", ".join(fact.codes())
    return [
        Column(fact.name, "code", f"{title}: {codes}; empty when unknown.", _field(fact.name)),
        Column(f"{fact.name}_label", "string", f"{title}: label in the row's language.", _label(fact.name)),
    ]


def _list(field: str, labels: bool = False) -> Callable[[dict[str, Any]], str]:
    return lambda record: joined((record["labels"] if labels else record)[field])


def _body(section: str) -> Callable[[dict[str, Any]], str]:
    return lambda record: record["body"][section]


def _label(field: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record["labels"][field]


def csv_columns() -> list[Column]:
    """Every column of ``cases.csv`` in order (classifications from the registry, as the records)."""
    return [
        Column("id", "string", "Stable id of the record: the case's translation key and the locale.", _field("id")),
        Column("page_id", "integer", "Id of the case in this locale in the API (/api/v1/cases/{id}).",
               _field("page_id")),
        Column("translation_key", "string", "Same for every language version of a case.", _field("translation_key")),
        Column("locale", "code", "Language of the record (a configured locale).", _field("locale")),
        Column("url", "url", "Canonical address of the case page in this language.", _field("url")),
        Column("first_published", "date-time", "When the case was first published in this language (ISO 8601).",
               _field("first_published")),
        Column("last_modified", "date-time", "When this version was published (ISO 8601).", _field("last_modified")),
        Column("licence", "code", "Licence of the case's text (SPDX identifier).", _field("licence")),
        Column("licence_name", "string", "Name of the licence.", _field("licence_name")),
        Column("licence_url", "url", "Text of the licence.", _field("licence_url")),
        Column("attribution", "string", "Whom to credit when reusing the text.", _field("attribution")),
        Column("title", "string", "Title of the case.", _field("title")),
        Column("summary", "string", "Two or three sentences about the case.", _field("summary")),
        Column("organisation", "string", "Organisation running the initiative.", _field("organisation")),
        Column("city", "string", "City (may be empty).", _field("city")),
        Column("region", "string", "Region (may be empty).", _field("region")),
        Column("latitude", "number", "Latitude in degrees (WGS 84), empty when unknown.", _coordinate("lat")),
        Column("longitude", "number", "Longitude in degrees (WGS 84), empty when unknown.", _coordinate("lon")),
        Column("population", "integer", "Inhabitants of the jurisdiction (may be empty).", _field("population")),
        *(column for item in classifications() for column in _classification_columns(item)),
        Column("start_year", "integer", "Year the initiative started.", _field("start_year")),
        Column("end_year", "integer", "Year it ended (empty unless completed).", _field("end_year")),
        Column("initiative_status", "code", "planned, ongoing or completed.", _field("initiative_status")),
        Column("initiative_status_label", "string", "The status in the row's language.",
               _label("initiative_status")),
        *(column for fact in CASE_FACTS for column in _fact_columns(fact)),
        *(Column(f"body_{name}", "html", f"The case's {name} section (HTML).", _body(name)) for name in BODY_SECTIONS),
        Column("link_titles", "list of strings", "Titles of the case's links, joined with |.", _each("links", "title")),
        Column("link_urls", "list of urls", "Addresses of the links, as the titles.", _each("links", "url")),
        Column("metric_labels", "list of strings", "What each outcome metric counts, joined with |.",
               _each("metrics", "label")),
        Column("metric_values", "list of numbers", "The metrics' values, as the labels.", _each("metrics", "value")),
        Column("metric_units", "list of strings", "The metrics' units (may be empty), as the labels.",
               _each("metrics", "unit")),
    ]  # fmt: skip


def csv_row(columns: list[Column], record: dict[str, Any]) -> list[Any]:
    return ["" if (value := column.value(record)) is None else value for column in columns]
