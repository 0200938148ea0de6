"""Participation and evaluation facts of a case (manual.case_facts): model, API, import, export, reader.

Every fact is optional and declared once; these tests check what a user of each surface relies on:
a clear refusal of a bad value, codes with labels in the requested language, the facts surviving an
import and the dumps, the reader's page showing them, and figures grouped as each language writes them.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail_localize.fields import SynchronizedField, TranslatableField, get_translatable_fields

from manual.case_facts import CASE_FACT_NAMES, CASE_FACTS, TEXT, case_fact
from manual.models import CaseStudyMetric, CaseStudyPage
from manual.services.reader import localized_number
from opendata.services import dumps
from opendata.services.codebook import codebook_rows, record_model
from opendata.services.columns import csv_columns
from submissions.forms import FIELDS
from submissions.schemas import SubmissionIn
from tests.support.submissions import errors_by_field, post_json, valid_payload

pytestmark = pytest.mark.django_db

NARROW_NO_BREAK_SPACE = "\u202f"
FACTS = {
    "participants": 11000,
    "participation_mode": "hybrid",
    "eligibility": "random",
    "recruitment": "Letters to a random sample of residents",
    "organiser_type": "government",
    "funder_type": "mixed",
    "evaluated": "yes",
    "evaluator": "academic",
    "evaluation_method": "Participant survey",
    "evaluation_report": "https://example.org/evaluation.pdf",
}


@pytest.fixture(autouse=True)
def _language_restored():
    """Serving a Russian page leaves Russian active in the test's thread; later tests expect the
    language they started with (tests/test_content_model.py checks English messages)."""
    language = translation.get_language()
    yield
    translation.activate(language)


def real_case(language: str) -> CaseStudyPage:
    return CaseStudyPage.objects.live().filter(locale__language_code=language, alias_of__isnull=True).first()


def with_facts(case: CaseStudyPage, **texts: str) -> CaseStudyPage:
    """``case`` and its translations with ``FACTS`` (texts as given per language), stored as live rows."""
    synchronised = {name: value for name, value in FACTS.items() if case_fact(name).kind != TEXT}
    CaseStudyPage.objects.filter(translation_key=case.translation_key).update(**synchronised)
    for language, text in texts.items():
        CaseStudyPage.objects.filter(translation_key=case.translation_key, locale__language_code=language).update(
            recruitment=text, evaluation_method=text
        )
    return CaseStudyPage.objects.get(pk=case.pk)


# --- The declaration and the model ----------------------------------------------------------------------


def test_every_declared_fact_is_an_optional_field_of_the_case():
    for fact in CASE_FACTS:
        field = CaseStudyPage._meta.get_field(fact.name)
        assert field.blank, fact.name
        if fact.choices:
            assert [code for code, _label in field.choices] == fact.codes()


def test_texts_are_translated_and_codes_counts_and_links_synchronised():
    declared = {field.field_name: type(field) for field in get_translatable_fields(CaseStudyPage)}
    assert declared["recruitment"] is TranslatableField and declared["evaluation_method"] is TranslatableField
    for name in ("participants", "participation_mode", "organiser_type", "evaluated", "evaluation_report"):
        assert declared[name] is SynchronizedField, name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("participants", -5, "at least 1"),
        ("participants", 0, "at least 1"),
        ("participation_mode", "telepathy", "not a valid choice"),
        ("evaluator", "nobody", "not a valid choice"),
        ("evaluation_report", "not a link", "valid URL"),
    ],
)
def test_a_bad_fact_is_refused_naming_the_field(field, value, message):
    case = real_case("en")
    setattr(case, field, value)
    with pytest.raises(ValidationError) as refused:
        case.full_clean()
    assert set(refused.value.message_dict) == {field}
    assert message in " ".join(refused.value.message_dict[field])


def without_facts(case: CaseStudyPage) -> CaseStudyPage:
    """``case`` and its translations with no fact stated (the demo cases state some)."""
    CaseStudyPage.objects.filter(translation_key=case.translation_key).update(
        **{fact.name: fact.stored(None) for fact in CASE_FACTS}
    )
    return CaseStudyPage.objects.get(pk=case.pk)


def test_a_case_without_any_fact_is_valid():
    case = without_facts(real_case("en"))
    assert all(getattr(case, name) in (None, "") for name in CASE_FACT_NAMES)
    case.full_clean()


# --- The API ----------------------------------------------------------------------------------------------


def test_the_case_detail_gives_codes_and_labels_in_the_requested_locale(client, ru):
    case = with_facts(real_case("en"), en="Letters", ru="Письма")
    english = client.get(f"/api/v1/cases/{case.pk}").json()
    assert english["participants"] == 11000
    assert english["participation_mode"] == {"code": "hybrid", "label": "Hybrid (online and in person)"}
    assert english["eligibility"] == {"code": "random", "label": "Random selection"}
    assert english["evaluated"] == {"code": "yes", "label": "Yes"}
    assert english["recruitment"] == "Letters"
    assert english["evaluation_report"] == "https://example.org/evaluation.pdf"

    russian = client.get(f"/api/v1/cases/{case.pk}", {"locale": "ru"}).json()
    assert russian["locale"] == "ru" and russian["recruitment"] == "Письма"
    assert russian["participation_mode"] == {"code": "hybrid", "label": "Смешанный (онлайн и очно)"}
    assert russian["organiser_type"] == {"code": "government", "label": "Государственный орган или орган власти"}
    assert russian["evaluator"] == {"code": "academic", "label": "Академическая (исследователи)"}


def test_a_case_without_facts_answers_nulls_and_empty_texts(client):
    body = client.get(f"/api/v1/cases/{without_facts(real_case('en')).pk}").json()
    assert body["participants"] is None and body["participation_mode"] is None and body["evaluated"] is None
    assert body["recruitment"] == "" and body["evaluation_report"] == ""


def test_the_openapi_document_describes_the_facts_with_their_codes(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    detail = schemas["CaseDetail"]["properties"]
    assert set(CASE_FACT_NAMES) <= set(detail)
    assert "in_person" in detail["participation_mode"]["description"]


# --- Submission document, form and import -------------------------------------------------------------


def test_the_submission_document_takes_the_facts_and_refuses_bad_ones():
    valid = SubmissionIn.model_validate(valid_payload(**FACTS))
    assert valid.participants == 11000 and valid.participation_mode == "hybrid"
    assert SubmissionIn.model_validate(valid_payload()).participation_mode is None  # all optional
    for bad in ({"participants": 0}, {"eligibility": "everyone"}, {"evaluation_report": "ftp://x"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SubmissionIn.model_validate(valid_payload(**bad))


def test_the_form_asks_for_every_fact_as_an_optional_control():
    controls = {item.name: item for item in FIELDS}
    for name in CASE_FACT_NAMES:
        assert controls[name].optional, name
    assert controls["participation_mode"].choices()[0] == ("", "Not stated")


def test_an_imported_case_keeps_its_facts_and_the_dump_gives_them_back(tmp_path):
    item = valid_payload(title="Imported case with facts", **FACTS)
    item["external_id"] = "facts-1"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    call_command("import_cases", str(path), "--publish", stdout=io.StringIO(), stderr=io.StringIO())
    page = CaseStudyPage.objects.get(title="Imported case with facts", alias_of__isnull=True)
    assert {name: getattr(page, name) for name in CASE_FACT_NAMES} == FACTS

    with override_settings(OPEN_DATA_DIR=tmp_path / "exports"):
        dumps.export_cases()
        exported = json.loads((tmp_path / "exports" / "cases.json").read_text(encoding="utf-8"))
        rows = list(csv.DictReader(io.StringIO((tmp_path / "exports" / "cases.csv").read_text(encoding="utf-8"))))
    record = next(record for record in exported["cases"] if record["page_id"] == page.pk)
    assert {name: record[name] for name in CASE_FACT_NAMES} == FACTS
    assert record["labels"]["participation_mode"] == "Hybrid (online and in person)"
    record_model().model_validate(record)  # the record schema describes them
    row = next(row for row in rows if row["page_id"] == str(page.pk))
    assert row["participants"] == "11000" and row["eligibility"] == "random"
    assert row["eligibility_label"] == "Random selection" and row["recruitment"] == FACTS["recruitment"]

    # The record imports again (a dump is an import file) with the same facts.
    again = tmp_path / "again.json"
    record["id"] = "other/en"
    again.write_text(json.dumps({"format": exported["format"], "cases": [record]}), encoding="utf-8")
    CaseStudyPage.objects.filter(pk=page.pk).update(title="Renamed")
    call_command("import_cases", str(again), stdout=io.StringIO(), stderr=io.StringIO())
    copy = CaseStudyPage.objects.filter(title="Imported case with facts", alias_of__isnull=True).get()
    assert {name: getattr(copy, name) for name in CASE_FACT_NAMES} == FACTS


def test_the_dumps_and_codebook_describe_every_fact_and_code():
    names = [column.name for column in csv_columns()]
    for fact in CASE_FACTS:
        assert fact.name in names
        if fact.choices:
            assert f"{fact.name}_label" in names
    rows = codebook_rows()
    hybrid = next(row for row in rows if row[0] == "participation_mode" and row[3] == "hybrid")
    assert "Hybrid (online and in person)" in hybrid and "Смешанный (онлайн и очно)" in hybrid


def test_the_import_format_documents_list_the_facts():
    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "import-format.schema.json").read_text())
    text = json.dumps(schema)
    for name in CASE_FACT_NAMES:
        assert f'"{name}"' in text, name


# --- The reader -------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_facts_in_english(client):
    case = with_facts(real_case("en"), en="Letters to residents")
    html = client.get(case.url).content.decode()
    assert "<dt>Number of participants</dt>" in html and "11,000" in html
    assert "Hybrid (online and in person)" in html and "Letters to residents" in html
    assert '<a href="https://example.org/evaluation.pdf">' in html


def test_the_case_page_shows_the_facts_in_russian(client):
    case = with_facts(real_case("en"), ru="Письма жителям")
    russian = CaseStudyPage.objects.get(translation_key=case.translation_key, locale__language_code="ru")
    html = client.get(russian.url).content.decode()
    assert "<dt>Число участников</dt>" in html and f"11{NARROW_NO_BREAK_SPACE}000" in html
    assert "Случайный отбор" in html and "Письма жителям" in html


def test_metrics_are_numbers_grouped_as_each_language_writes_them(client):
    case = real_case("en")
    russian = CaseStudyPage.objects.get(translation_key=case.translation_key, locale__language_code="ru")
    for page, label in ((case, "Votes"), (russian, "Голоса")):
        CaseStudyMetric.objects.filter(page=page).delete()
        CaseStudyMetric.objects.create(page=page, locale=page.locale, label=label, value=Decimal("11000"), unit="x")
        CaseStudyMetric.objects.create(page=page, locale=page.locale, label="share", value=Decimal("12.50"), unit="%")
    english = client.get(case.url).content.decode()
    assert "<dd>11,000 x</dd>" in english and "<dd>12.5 %</dd>" in english
    html = client.get(russian.url).content.decode()
    assert f"<dd>11{NARROW_NO_BREAK_SPACE}000 x</dd>" in html and "<dd>12,5 %</dd>" in html
    assert CaseStudyMetric.objects.get(page=russian, label="Голоса").value == Decimal("11000")  # stored as a number


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", 11000, "11,000"),
        ("ru", 11000, f"11{NARROW_NO_BREAK_SPACE}000"),
        ("de", Decimal("1234567.25"), "1.234.567,25"),
        ("en", Decimal("999.00"), "999"),
    ],
)
def test_localized_numbers(language, value, expected):
    assert localized_number(value, language) == expected


def test_the_submission_api_refuses_a_bad_fact_naming_the_field(client):
    response = post_json(client, valid_payload(participation_mode="telepathy", participants=0))
    assert errors_by_field(response) == {"participation_mode": "invalid_choice", "participants": "out_of_range"}


def test_the_admin_edits_the_facts_in_a_participation_and_evaluation_tab(client, editor):
    client.force_login(editor)
    case = real_case("en")
    html = client.get(reverse("wagtailadmin_pages:edit", args=[case.pk])).content.decode()
    assert "Participation and evaluation" in html
    for name in CASE_FACT_NAMES:
        assert f'name="{name}"' in html, name
    assert '<option value="in_person">In person</option>' in html
