"""Costly files are refused from their headers, and the costly work that remains runs within a budget.

Figures (CPU seconds, wall time, peak RSS) are printed by ``bench/costly_files.py``; these tests
assert the refusals, their error shape and field names, and what happens when a budget runs out.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionAttachment, SubmissionEvent
from submissions.services import docx
from submissions.services.sandbox import LimitExceeded, run_limited
from tests.support.samples import make_docx_content_types, make_image, make_png_bomb, make_zip_bomb_docx, word_document
from tests.support.stored_files import private_files
from tests.support.submissions import errors_by_field, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


def test_ten_bomb_pngs_are_each_refused_by_name_from_their_headers(client):
    bomb = make_png_bomb()
    response = post_multipart(client, valid_payload(), [(f"bomb-{i}.png", bomb) for i in range(10)])

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(f"attachments.{i}", "image_too_large") for i in range(10)]
    assert errors[0]["message"] == "The image has 400,000,000 pixels; at most 40,000,000 pixels are accepted."
    assert not Submission.objects.exists() and not private_files()


def test_the_pixel_budget_is_a_setting_and_pillows_own_limit(client, settings):
    assert Image.MAX_IMAGE_PIXELS == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == settings.SUBMISSIONS_MAX_IMAGE_PIXELS
    settings.SUBMISSIONS_MAX_IMAGE_PIXELS = 1000
    response = post_multipart(client, valid_payload(), [("small.png", make_image("PNG", (64, 48)))])
    assert errors_by_field(response) == {"attachments.0": "image_too_large"}


def test_a_zip_bomb_as_the_body_document_is_refused_before_parsing(client):
    response = post_multipart(
        client, valid_payload(), body_docx=SimpleUploadedFile("case.docx", make_zip_bomb_docx(unpacked_mb=120))
    )
    assert errors_by_field(response) == {"body_docx": "archive_too_large"}


def test_a_docx_with_too_many_parts_is_refused(client):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", make_docx_content_types())
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(2001):
            archive.writestr(f"word/media/{i}.bin", b"")
    response = post_multipart(client, valid_payload(), [("case.docx", out.getvalue())])
    assert errors_by_field(response) == {"attachments.0": "archive_too_large"}


def test_a_body_document_with_too_much_text_is_refused_before_mammoth(client, settings, monkeypatch):
    settings.SUBMISSIONS_MAX_DOCX_TEXT_BYTES = 2000
    monkeypatch.setattr("submissions.services.docx.run_limited", pytest.fail)  # mammoth is never reached
    text = [(None, f"Paragraph {i} of a long document.") for i in range(100)]
    response = post_multipart(client, valid_payload(), body_docx=SimpleUploadedFile("case.docx", word_document(text)))
    errors = response.json()["errors"]
    assert errors_by_field(response) == {"body_docx": "document_too_large"}
    assert "send the text in the body fields" in errors[0]["message"]


def test_mammoth_over_its_memory_budget_is_a_clear_refusal(client, settings, monkeypatch):
    settings.SUBMISSIONS_DOCX_MEMORY_BYTES = 1024 * 1024
    # mammoth's many small allocations may reuse heap space the forked worker already maps, so how
    # much of it a real document needs from the budget depends on what the process did before.
    # A conversion that needs 64 MB in one buffer is over any 1 MB budget, deterministically.
    real_convert = docx.mammoth.convert_to_html

    def hungry_convert(*args, **kwargs):
        buffer = bytearray(64 * 2**20)
        return real_convert(*args, **kwargs) if buffer else None

    monkeypatch.setattr(docx.mammoth, "convert_to_html", hungry_convert)
    text = [(None, f"Paragraph {i}: residents proposed projects.") for i in range(30)]
    response = post_multipart(client, valid_payload(), body_docx=SimpleUploadedFile("case.docx", word_document(text)))
    assert errors_by_field(response) == {"body_docx": "too_costly"}
    assert not Submission.objects.exists()


def test_images_are_accepted_from_their_headers_and_cleaned_by_the_conversion(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_multipart(client, valid_payload(), [("photo.jpg", make_image("JPEG", (640, 480), True))])
    assert response.status_code == 201, response.content
    attachment = SubmissionAttachment.objects.get()
    assert (attachment.width, attachment.height, attachment.cleaned) == (640, 480, False), "not decoded yet"

    for callback in callbacks:
        callback()  # the queued conversion (db_worker in production)
    attachment.refresh_from_db()
    assert attachment.cleaned and attachment.image is not None
    with attachment.file.open("rb") as stored:
        assert not Image.open(stored).getexif()


def test_an_image_over_the_conversions_budget_is_set_aside_and_the_case_still_made(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SUBMISSIONS_IMAGE_MEMORY_BYTES = 1024 * 1024  # the 2000×2000 image needs 12 MB decoded
    files = [("plan.png", make_image("PNG", (2000, 2000))), ("small.png", make_image("PNG", (40, 30)))]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_multipart(client, valid_payload(hero_attachment=0), files)
    assert response.status_code == 201, response.content

    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == "in_review"
    assert list(submission.attachments.values_list("position", "cleaned")) == [(1, True)]
    assert len(private_files()) == 1, "the refused image's file is removed"
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert page.hero_image is None
    event = SubmissionEvent.objects.get(submission=submission, to_status="converted")
    assert "Attachment 0 (plan.png) set aside" in event.internal_note and "memory" in event.internal_note
    assert "set aside" not in event.note, "staff only"


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 2**20))


def _spin() -> None:
    while True:
        pass


def test_the_sandbox_stops_work_over_its_memory_cpu_and_wall_clock_budgets():
    assert run_limited(_allocate, 10, cpu_seconds=5, memory_bytes=64 * 2**20, wall_seconds=10) == 10 * 2**20
    with pytest.raises(LimitExceeded, match="memory"):
        run_limited(_allocate, 500, cpu_seconds=5, memory_bytes=64 * 2**20, wall_seconds=10)
    with pytest.raises(LimitExceeded):
        run_limited(_spin, cpu_seconds=1, memory_bytes=64 * 2**20, wall_seconds=30)
    with pytest.raises(LimitExceeded, match="longer than"):
        run_limited(time.sleep, 30, cpu_seconds=5, memory_bytes=64 * 2**20, wall_seconds=0.5)
