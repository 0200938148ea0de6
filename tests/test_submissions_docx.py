"""A Word document (``body_docx``) becomes the body: headings name the sections, the rest is context."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from manual.models import CaseStudyPage
from submissions.models import Submission
from submissions.services.docx import docx_sections
from tests.support.samples import CASE_DOCX, word_document
from tests.support.submissions import errors_by_field, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


def test_headings_fill_their_sections_and_the_rest_goes_to_context():
    sections = docx_sections(word_document(CASE_DOCX))
    assert sections["context"] == "<p>Tartu is a university city of 91,000 people.</p>"
    assert sections["objectives"] == "<p>Residents decide on part of the budget.</p>"
    # Another heading stays, as a bold line, in the section it appears in.
    assert sections["approach"] == "<p>Ideas online, then a vote.</p><p><b>Timeline</b></p><p>Every spring.</p>"
    assert sections["results"].startswith("<p><strong>Thousands of votes.</strong></p>")
    assert "<script" not in sections["results"], "the text is escaped by mammoth and sanitised by nh3"
    assert sections["lessons"] == "<p>Keep the rules simple.</p>"
    assert "technology" not in sections and "transferability" not in sections


def test_russian_headings_are_recognised():
    sections = docx_sections(word_document([("Heading1", "Цели"), (None, "Вовлечь жителей.")]))
    assert sections == {"objectives": "<p>Вовлечь жителей.</p>"}


def test_a_word_document_becomes_the_drafts_body(client, django_capture_on_commit_callbacks):
    payload = valid_payload()
    payload["body"] = {}  # the whole body from the Word document
    with django_capture_on_commit_callbacks(execute=True):
        response = post_multipart(client, payload, body_docx=SimpleUploadedFile("case.docx", word_document(CASE_DOCX)))
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.payload["body"]["objectives"] == "<p>Residents decide on part of the budget.</p>"
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert page.context == "<p>Tartu is a university city of 91,000 people.</p>"
    assert page.lessons == "<p>Keep the rules simple.</p>"
    assert submission.attachments.get().role == "body_docx"


def test_sections_sent_as_text_come_first(client):
    payload = valid_payload()
    response = post_multipart(
        client, payload, body_docx=SimpleUploadedFile("case.docx", word_document([(None, "From Word.")]))
    )
    assert response.status_code == 201, response.content
    context = Submission.objects.get(pk=response.json()["id"]).payload["body"]["context"]
    assert context.startswith("<p>Tartu wanted residents") and context.endswith("<p>From Word.</p>")


def test_required_sections_missing_from_both_are_named(client):
    payload = valid_payload()
    payload["body"] = {}
    response = post_multipart(
        client, payload, body_docx=SimpleUploadedFile("case.docx", word_document([(None, "Only context.")]))
    )
    assert errors_by_field(response) == {
        "body.objectives": "required",
        "body.approach": "required",
        "body.results": "required",
    }


def test_an_unreadable_word_document_is_refused_by_name(client):
    broken = word_document([], raw_document="<w:document><w:body><w:p>")  # not well-formed XML
    submissions = Submission.objects.count()
    response = post_multipart(client, valid_payload(), body_docx=SimpleUploadedFile("case.docx", broken))
    assert errors_by_field(response) == {"body_docx": "invalid_document"}
    assert Submission.objects.count() == submissions
