"""Facts that contradict each other are refused, naming the field, by one rule wherever a case is written.

"Not evaluated" (or "unknown") with an evaluator, an evaluation method or a report is refused by
``manual.case_facts.fact_contradictions``: in the page's ``clean`` (the admin), in the submission
API (400 in the error shape), in the reader's form and in the import (the report line names it).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from manual.case_facts import EVALUATION_DETAILS, fact_contradictions
from manual.models import CaseStudyPage
from submissions.models import Submission
from tests.support.submissions import FORM, errors_by_field, form_data, post_json, valid_payload

pytestmark = pytest.mark.django_db

DETAILS = {
    "evaluator": "external",
    "evaluation_method": "Participant survey",
    "evaluation_report": "https://example.org/r",
}
MESSAGE = "This contradicts “Evaluated: No”: change that to “Yes”, or leave this empty."


@pytest.fixture(autouse=True)
def _language_restored():
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.mark.parametrize("status", ["no", "unknown"])
def test_the_rule_names_each_detail_given_without_an_evaluation(status):
    found = fact_contradictions({"evaluated": status, **DETAILS, "evaluation_report": ""})
    assert set(found) == {"evaluator", "evaluation_method"}


@pytest.mark.parametrize("status", ["yes", "", None])
def test_details_agree_with_an_evaluation_or_an_unstated_status(status):
    assert fact_contradictions({"evaluated": status, **DETAILS}) == {}
    assert fact_contradictions({"evaluated": "no"}) == {}, "no details: nothing contradicts"


def test_the_message_speaks_the_active_language():
    with translation.override("ru"):
        message = fact_contradictions({"evaluated": "no", "evaluator": "academic"})["evaluator"]
    assert message == "Это противоречит «Оценка проводилась: Нет»: измените это на «Да» или оставьте поле пустым."


def test_the_page_refuses_the_contradiction_naming_the_field():
    case = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True).first()
    case.evaluated, case.evaluator = "no", "academic"
    with pytest.raises(ValidationError) as refused:
        case.full_clean()
    assert refused.value.message_dict == {"evaluator": [MESSAGE]}
    case.evaluated = "yes"
    case.full_clean()


def test_the_submission_api_refuses_it_with_a_400_naming_each_field(client):
    submissions = Submission.objects.count()
    response = post_json(client, valid_payload(evaluated="no", **DETAILS))
    assert errors_by_field(response) == dict.fromkeys(EVALUATION_DETAILS, "contradicts")
    assert response.json()["errors"][0]["message"] == MESSAGE
    assert Submission.objects.count() == submissions
    assert post_json(client, valid_payload(evaluated="yes", **DETAILS)).status_code == 201


def test_the_form_refuses_it_next_to_the_field(client):
    response = client.post(FORM, form_data(evaluated="no", evaluator="internal"))
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_evaluator"[^>]*aria-invalid="true"', html)
    assert 'href="#id_evaluator"' in html and MESSAGE in html


def test_the_import_reports_the_field_and_imports_the_rest(tmp_path):
    items = [
        {**valid_payload(title="Consistent", evaluated="yes", **DETAILS), "external_id": "fine"},
        {**valid_payload(title="Contradicting", evaluated="no", evaluator="academic"), "external_id": "bad"},
    ]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("#0 fine: created")
    assert lines[1] == f"#1 bad: failed: evaluator: {MESSAGE}"
    assert not CaseStudyPage.objects.filter(title="Contradicting").exists()
