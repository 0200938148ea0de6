"""Helpers of the submission tests: a valid document, requests, and sample files made on the fly.

Hostile samples (bombs, disguised files) are generated here rather than committed: they are small
to make and some would trip scanners as files.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from submissions.models import SubmissionAttachment

URL = "/api/v1/submissions"


def valid_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "locale": "en",
        "title": "Neighbourhood budget of Tartu",
        "summary": "Residents of Tartu propose and vote on small projects for their neighbourhoods.",
        "organisation": "City of Tartu",
        "city": "Tartu",
        "region": "Tartu County",
        "country": "ee",
        "coordinates": {"lat": 58.378, "lon": 26.729},
        "population": 91000,
        "government_level": "local",
        "participation_level": "empower",
        "stages": ["decision", "implementation"],
        "topics": ["budget", "urban-planning"],
        "tools": ["participatory-budgeting", "e-voting"],
        "start_year": 2013,
        "end_year": 2023,
        "initiative_status": "completed",
        "body": {
            "context": "Tartu wanted residents to shape spending.\n\nThe council agreed in 2012.",
            "objectives": "<p>Involve residents in <b>real</b> budget decisions.</p>",
            "approach": "<ul><li>Proposals online</li><li>Public vote</li></ul>",
            "technology": "The national e-ID for voting.",
            "results": "Thousands of votes every year.",
            "lessons": "Keep the rules simple.",
            "transferability": "Any city with e-ID.",
        },
        "links": [{"title": "Project site", "url": "https://www.tartu.ee/en/participatory-budgeting"}],
        "metrics": [{"label": "Votes cast", "value": 12345, "unit": "votes"}],
        "contact": {
            "name": "Mari Maasikas",
            "email": "mari@example.org",
            "organisation": "Tartu City Government",
            "role": "Participation officer",
        },
        "consent": {"terms": True, "publish_contact": True, "licence": "CC-BY-SA-4.0"},
    }
    for key, value in overrides.items():
        if value is _DROP:
            payload.pop(key, None)
        else:
            payload[key] = value
    return copy.deepcopy(payload)


_DROP = object()


def without(*keys: str) -> dict[str, Any]:
    return dict.fromkeys(keys, _DROP)


def post_json(client, payload: Any, **headers: str):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def post_multipart(client, payload: Any, attachments: list[tuple[str, bytes]] = (), **extra: Any):
    data: dict[str, Any] = {"data": payload if isinstance(payload, str) else json.dumps(payload)}
    data["attachments"] = [SimpleUploadedFile(name, content) for name, content in attachments]
    for key, value in extra.items():
        data[key] = value
    return client.post(URL, data=data)


def errors_by_field(response) -> dict[str | None, str]:
    assert response.status_code == 400, response.content
    return {error["field"]: error["code"] for error in response.json()["errors"]}


# --- sample files ------------------------------------------------------------------------------


def make_pdf() -> bytes:
    """A minimal, valid one-page PDF written by hand (xref offsets computed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = b"BT /F1 12 Tf 20 100 Td (Tartu) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_image(fmt: str = "PNG", size: tuple[int, int] = (64, 48), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        exif[0x8825] = {1: "N", 2: (58.0, 22.0, 40.0), 3: "E", 4: (26.0, 43.0, 44.0)}  # GPSInfo
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def make_docx(extra: dict[str, bytes] | None = None, content_type: str | None = None) -> bytes:
    main = content_type or "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Context</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def make_odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def make_zip_bomb_docx(unpacked_mb: int = 120) -> bytes:
    """A valid-looking .docx whose document part unpacks to ``unpacked_mb`` MB of zeros (~120 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", make_docx_content_types())
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
    return out.getvalue()


def make_docx_content_types() -> str:
    return (
        '<Types><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )


def make_png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG declaring ``width`` × ``height`` pixels (400 MP), tiny on disk: one colour, compressed away."""
    image = Image.new("1", (width, height), 0)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _stored_files() -> set[Path]:
    # The model field's storage: FileField resolves its storage callable once, at import.
    root = Path(SubmissionAttachment._meta.get_field("file").storage.location)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


_before_test: set[Path] = set()


def private_files() -> list[Path]:
    """Files the current test added to the private storage of submissions."""
    return sorted(_stored_files() - _before_test)


@pytest.fixture(autouse=True)
def private_files_cleanup():
    """Database rows roll back after each test, files do not: remove the files a test stored."""
    _before_test.clear()
    _before_test.update(_stored_files())
    yield
    for path in private_files():
        path.unlink(missing_ok=True)
