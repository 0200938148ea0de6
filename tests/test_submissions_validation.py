"""Everything a stranger sends is checked; each refusal names its field; a refusal stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionAttachment, SubmissionEvent, SubmitterContact
from submissions.rich_text import to_rich_text
from tests.support.samples import make_pdf
from tests.support.stored_files import private_files
from tests.support.submissions import errors_by_field, post_json, post_multipart, valid_payload, without

pytestmark = pytest.mark.django_db


def _body(**sections: str) -> dict[str, str]:
    return {**valid_payload()["body"], **sections}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (without("title"), "title", "required"),
        ({"title": "   "}, "title", "required"),
        ({"title": "x" * 256}, "title", "too_long"),
        ({"summary": "s" * 1501}, "summary", "too_long"),
        ({"title": "Null\x00byte"}, "title", "invalid_characters"),
        ({"locale": "de"}, "locale", "unknown_locale"),
        ({"country": "XX"}, "country", "unknown_code"),
        ({"country": "Estonia"}, "country", "too_long"),
        ({"topics": ["budget", "astrology"]}, "topics", "unknown_code"),
        ({"topics": []}, "topics", "too_short"),
        ({"tools": ["e-voting"] * 21}, "tools", "too_long"),
        ({"government_level": "galactic"}, "government_level", "unknown_code"),
        ({"participation_level": "inform-ish"}, "participation_level", "unknown_code"),
        ({"stages": "decision"}, "stages", "invalid"),
        ({"start_year": 1989}, "start_year", "out_of_range"),
        ({"start_year": 2101}, "start_year", "out_of_range"),
        ({"start_year": "2019"}, "start_year", "invalid"),
        ({"end_year": 2012}, "end_year", "out_of_range"),
        ({"initiative_status": "finished"}, "initiative_status", "invalid_choice"),
        ({"initiative_status": "completed", "end_year": None}, "end_year", "required"),
        ({"initiative_status": "planned"}, "end_year", "invalid"),
        ({"coordinates": {"lat": 91, "lon": 0}}, "coordinates.lat", "out_of_range"),
        ({"coordinates": {"lat": 50}}, "coordinates.lon", "required"),
        ({"population": -1}, "population", "out_of_range"),
        ({"body": _body(context="")}, "body.context", "required"),
        ({"body": _body(results="<script>alert(1)</script>")}, "body.results", "required"),
        ({"body": _body(approach="a" * 20_001)}, "body.approach", "too_long"),
        ({"links": [{"title": "Evil", "url": "javascript:alert(1)"}]}, "links.0.url", "invalid_url"),
        ({"links": [{"title": "FTP", "url": "ftp://example.org/file"}]}, "links.0.url", "invalid_url"),
        (
            {"links": [{"title": "ok", "url": "https://example.org"}, {"url": "https://e.org"}]},
            "links.1.title",
            "required",
        ),
        ({"metrics": [{"label": "Votes", "value": "many"}]}, "metrics.0.value", "invalid"),
        ({"metrics": [{"label": "Share", "value": 12.345}]}, "metrics.0.value", "too_precise"),
        ({"contact": {"name": "Mari", "email": "not-an-address"}}, "contact.email", "invalid_email"),
        ({"contact": {"name": "Mari"}}, "contact.email", "required"),
        ({"consent": {"terms": False}}, "consent.terms", "consent_required"),
        ({"consent": {"terms": "yes please"}}, "consent.terms", "invalid"),
        ({"consent": {"terms": True, "licence": "all-rights-reserved"}}, "consent.licence", "invalid_choice"),
        ({"topic": ["budget"]}, "topic", "unknown_field"),
        ({"hero_attachment": 0}, "hero_attachment", "out_of_range"),
        ({"updates_case": 999_999}, "updates_case", "unknown_case"),
    ],
)
def test_each_refusal_names_its_field_and_stores_nothing(client, overrides, field, code):
    response = post_json(client, valid_payload(**overrides))

    errors = errors_by_field(response)
    assert errors.get(field) == code, response.json()
    assert Submission.objects.count() == 0
    assert SubmitterContact.objects.count() == 0 and SubmissionEvent.objects.count() == 0


def test_every_problem_is_reported_at_once(client):
    payload = valid_payload(
        title="",
        country="ZZ",
        links=[{"title": "a", "url": "javascript:void(0)"}],
        contact={"name": "M", "email": "bad"},
        start_year=1900,
    )
    payload["body"]["context"] = ""
    errors = errors_by_field(post_json(client, payload))
    assert {"title", "country", "links.0.url", "contact.email", "start_year", "body.context"} <= set(errors)


def test_files_and_document_are_judged_together(client):
    payload = valid_payload(title="")
    response = post_multipart(client, payload, [("report.pdf", b"MZ\x90\x00 not a pdf at all")])
    errors = errors_by_field(response)
    assert errors == {"title": "required", "attachments.0": "unsupported_type"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2, 3]", "invalid"),
        (b'{"title": NaN}', "invalid_json"),
        ("{}".encode("utf-16"), "invalid_json"),
    ],
)
def test_unreadable_documents_are_refused(client, body, code):
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


def test_html_is_sanitised_to_the_rich_text_allow_list(client):
    payload = valid_payload()
    payload["body"]["context"] = (
        '<p onclick="steal()">Before <script>alert("x")</script><b>bold</b> '
        '<a href="javascript:alert(1)">bad link</a> <a href="https://tartu.ee" target="_blank">good link</a>'
        "<img src=x onerror=alert(1)><iframe src=https://evil.example></iframe></p><h1>Heading</h1>"
    )
    response = post_json(client, payload)
    assert response.status_code == 201, response.content
    context = Submission.objects.get().payload["body"]["context"]
    assert "script" not in context and "alert" not in context and "onclick" not in context
    assert "<img" not in context and "iframe" not in context and "<h1>" not in context
    assert "<b>bold</b>" in context
    assert '<a href="https://tartu.ee">good link</a>' in context
    assert "<a>bad link</a>" in context, "the javascript: target is dropped, the words stay"


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert to_rich_text("First <3 line\nsecond line\n\nNext paragraph") == (
        "<p>First &lt;3 line<br/>second line</p><p>Next paragraph</p>"
    )
    assert to_rich_text("inline <b>bold</b>") == "<p>inline <b>bold</b></p>"
    assert to_rich_text("<p>  </p><br>") == ""


def test_unknown_multipart_parts_and_a_missing_data_part_are_named(client):
    response = client.post(
        "/api/v1/submissions",
        data={"attachment": SimpleUploadedFile("a.pdf", make_pdf()), "title": "loose field"},
    )
    errors = errors_by_field(response)
    assert errors == {"attachment": "unknown_field", "title": "unknown_field", "data": "required"}


def test_the_case_to_update_must_be_published_in_the_submissions_locale(client, en_cases, ru):
    case = en_cases.first()
    ru_version = CaseStudyPage.objects.get(translation_key=case.translation_key, locale=ru)
    # The id of any translation is accepted; the case is the one in the submission's locale.
    response = post_json(client, valid_payload(locale="ru", updates_case=case.pk))
    assert response.status_code == 201, response.content
    assert Submission.objects.get().updates_case_id == ru_version.pk

    withdrawn = en_cases.last()
    withdrawn.unpublish()
    refused = post_json(client, valid_payload(updates_case=withdrawn.pk, title="Other"))
    assert errors_by_field(refused) == {"updates_case": "unknown_case"}


def test_a_refused_multipart_submission_leaves_no_rows_and_no_files(client):
    payload = valid_payload(contact={"name": "Mari", "email": "nope"})
    response = post_multipart(client, payload, [("report.pdf", make_pdf())])
    assert errors_by_field(response) == {"contact.email": "invalid_email"}
    assert Submission.objects.count() == 0 and SubmissionAttachment.objects.count() == 0
    assert private_files() == []
