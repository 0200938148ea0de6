"""Attachments: judged by content, bounded, images re-encoded without EXIF, stored privately, all or nothing."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from submissions.models import FileKind, Submission, SubmissionAttachment, SubmissionEvent
from submissions.services import store as store_service
from submissions.services.store import store_submission
from submissions.services.validate import UploadedPart, validate_submission
from tests.support.samples import make_docx, make_image, make_odt, make_pdf, make_png_bomb, make_zip_bomb_docx
from tests.support.stored_files import private_files
from tests.support.submissions import URL, errors_by_field, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


def test_a_multipart_submission_with_a_real_pdf_and_png(client, settings):
    pdf, png = make_pdf(), make_image("PNG", (120, 80))
    response = post_multipart(
        client, valid_payload(hero_attachment=1), [("../../etc/Annual report.pdf", pdf), ("hero.PNG", png)]
    )

    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    first, second = SubmissionAttachment.objects.filter(submission=submission).order_by("position")
    assert (first.kind, first.content_type, first.size) == (FileKind.PDF, "application/pdf", len(pdf))
    assert first.sha256 == hashlib.sha256(pdf).hexdigest()
    assert first.original_name == "Annual report.pdf", "kept for display, without its folders"
    assert first.file.name == f"{submission.pk}/{first.pk}.pdf", "stored under our name, never the client's"
    assert (second.kind, second.width, second.height) == (FileKind.PNG, 120, 80)

    stored = private_files()
    root = settings.SUBMISSIONS_PRIVATE_ROOT
    assert len(stored) == 2 and all(root in path.parents for path in stored), "in the private folder"
    assert all(settings.MEDIA_ROOT not in path.parents for path in stored), "outside the public media folder"
    with pytest.raises(ValueError):
        first.file.url  # noqa: B018 - private files have no URL
    assert (root / first.file.name).read_bytes() == pdf


def test_docx_odt_webp_and_jpeg_are_accepted_by_content(client):
    files = [
        ("case.docx", make_docx()),
        ("case.odt", make_odt()),
        ("photo.webp", make_image("WEBP")),
        ("photo.jpeg", make_image("JPEG")),
        ("no-extension", make_pdf()),
    ]
    response = post_multipart(client, valid_payload(), files)
    assert response.status_code == 201, response.content
    kinds = list(SubmissionAttachment.objects.order_by("position").values_list("kind", flat=True))
    assert kinds == ["docx", "odt", "webp", "jpeg", "pdf"]


def test_images_are_re_encoded_without_exif(client, django_capture_on_commit_callbacks):
    jpeg = make_image("JPEG", (64, 64), exif_gps=True)
    assert Image.open(io.BytesIO(jpeg)).getexif().get(0x8825), "the sample carries a GPS position"

    # Re-encoding is costly, so the conversion does it (run here, after the commit, by the
    # immediate task backend), in a child process within its budget.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_multipart(client, valid_payload(), [("where-i-live.jpg", jpeg)])
    assert response.status_code == 201, response.content
    attachment = SubmissionAttachment.objects.get()
    assert attachment.cleaned
    assert len(private_files()) == 1, "the file as sent, EXIF and all, is gone"
    with attachment.file.open("rb") as stored:
        content = stored.read()
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and image.size == (64, 64)
    assert not image.getexif(), "no EXIF at all, GPS included"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", b"MZ\x90\x00\x03 a Windows executable", "unsupported_type"),
        ("photo.png", b"<html><script>alert(1)</script></html>", "unsupported_type"),
        ("report.pdf", make_pdf()[:-40], "invalid_document"),
        ("photo.png", make_image("PNG")[:60], "invalid_image"),
        ("empty.pdf", b"", "empty_file"),
        ("macro.docx", make_docx(extra={"word/vbaProject.bin": b"\0" * 10}), "unsupported_type"),
        ("sheet.odt", b"PK\x03\x04" + b"garbage" * 10, "invalid_document"),
        ("archive.docx", make_docx(content_type="application/xml"), "invalid_document"),
    ],
)
def test_files_are_judged_by_content_not_by_name(client, name, content, code):
    response = post_multipart(client, valid_payload(), [("fine.pdf", make_pdf()), (name, content)])
    assert errors_by_field(response) == {"attachments.1": code}
    assert Submission.objects.count() == 0 and private_files() == []


def test_a_file_over_10_mb_is_refused_naming_the_file(client):
    too_big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = post_multipart(client, valid_payload(), [("small.pdf", make_pdf()), ("big.pdf", too_big)])
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in errors] == [("attachments.1", "file_too_large")]
    assert "10.0 MB" in errors[0]["message"]


def test_the_total_size_is_bounded(client, settings):
    settings.SUBMISSIONS_MAX_TOTAL_BYTES = 2 * len(make_pdf()) - 1
    response = post_multipart(client, valid_payload(), [("a.pdf", make_pdf()), ("b.pdf", make_pdf())])
    assert errors_by_field(response) == {"attachments": "total_too_large"}


def test_at_most_ten_files(client):
    response = post_multipart(client, valid_payload(), [(f"{n}.pdf", make_pdf()) for n in range(11)])
    assert errors_by_field(response) == {"attachments": "too_many_files"}
    assert private_files() == []


def test_a_decompression_bomb_png_is_refused_before_decoding(client):
    bomb = make_png_bomb()
    assert len(bomb) < 1024 * 1024, "small on the wire, 400 million pixels inside"
    response = post_multipart(client, valid_payload(), [("innocent.png", bomb)])
    assert errors_by_field(response) == {"attachments.0": "image_too_large"}


def test_a_zip_bomb_docx_is_refused(client):
    bomb = make_zip_bomb_docx(unpacked_mb=120)
    assert len(bomb) < 1024 * 1024
    response = post_multipart(client, valid_payload(), [("case.docx", bomb)])
    assert errors_by_field(response) == {"attachments.0": "archive_too_large"}


def test_body_docx_must_be_a_word_document(client):
    accepted = post_multipart(client, valid_payload(), body_docx=SimpleUploadedFile("case.docx", make_docx()))
    assert accepted.status_code == 201, accepted.content
    assert SubmissionAttachment.objects.get().role == "body_docx"

    refused = post_multipart(
        client, valid_payload(title="Other"), body_docx=SimpleUploadedFile("case.docx", make_pdf())
    )
    assert errors_by_field(refused) == {"body_docx": "unsupported_type"}


def test_the_hero_attachment_must_be_an_image(client):
    response = post_multipart(client, valid_payload(hero_attachment=0), [("report.pdf", make_pdf())])
    assert errors_by_field(response) == {"hero_attachment": "not_an_image"}


def test_the_json_document_may_come_as_a_file_part(client):
    document = SimpleUploadedFile("case.json", json.dumps(valid_payload()).encode(), "application/json")
    response = client.post(URL, data={"data": document, "attachments": [SimpleUploadedFile("r.pdf", make_pdf())]})
    assert response.status_code == 201, response.content


def test_storage_is_all_or_nothing_files_included(monkeypatch):
    """A failure after files were written (here: writing the audit event) removes rows and files."""
    attachments = [UploadedPart(make_pdf(), "a.pdf", len(make_pdf())), UploadedPart(make_image(), "b.png", 1)]
    valid = validate_submission(valid_payload(), attachments)

    def broken_event(*args, **kwargs):
        assert len(private_files()) == 2, "the files were written before the failure"
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(store_service.SubmissionEvent.objects, "create", broken_event)
    with pytest.raises(RuntimeError):
        store_submission(valid, fingerprint="f" * 64, request_hash="h" * 64)

    assert Submission.objects.count() == 0 and SubmissionAttachment.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0
    assert private_files() == []
