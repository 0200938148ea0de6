"""Judge submitted files by their content, never by their name or the client's MIME type.

Every file is read once into memory (each is at most ``SUBMISSIONS_MAX_FILE_BYTES``, all together at
most ``SUBMISSIONS_MAX_TOTAL_BYTES``), sniffed by its magic bytes and checked for its kind:

- PDF: ``%PDF-`` header and an ``%%EOF`` marker near the end (a truncated upload has none).
- DOCX and ODT: a zip with the entries that make the format (``[Content_Types].xml`` declaring a
  Word document and ``word/document.xml``; ``mimetype`` = ODF text and ``content.xml``); macro
  documents are refused; the declared unpacked size, the number of entries and the compression
  ratio are bounded, so a zip bomb is refused before anything unpacks it.
- PNG, JPEG, WebP: only the header is read in the request, and an image over
  ``SUBMISSIONS_MAX_IMAGE_PIXELS`` is refused before anything decodes it (decompression bombs: a
  50 KB PNG can declare 400 million pixels). Decoding and re-encoding (``clean_image``: Pillow drops
  EXIF with the GPS position, comments and anything appended after the image data) costs about a
  second and 100-300 MB per large image, so it is not done in the request: the conversion task
  does it (``convert.clean_images``: in a child process with a time and memory budget,
  ``services.sandbox``) and replaces the stored bytes before anything else reads them.

The result of a refusal is a ``FileProblem`` (code + message); the caller names the field.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from submissions.models import IMAGE_KINDS, FileKind

CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.WEBP: "image/webp",
}
EXTENSIONS = {
    FileKind.PDF: "pdf",
    FileKind.DOCX: "docx",
    FileKind.ODT: "odt",
    FileKind.PNG: "png",
    FileKind.JPEG: "jpg",
    FileKind.WEBP: "webp",
}
PILLOW_FORMATS = {FileKind.PNG: "PNG", FileKind.JPEG: "JPEG", FileKind.WEBP: "WEBP"}

DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MAX_ZIP_ENTRIES = 2000
# Text and XML compress well, but not a thousand times over; bombs do.
MAX_COMPRESSION_RATIO = 200
# Entries read to identify a document are small; nothing bigger is ever unpacked here.
MAX_IDENTIFYING_ENTRY_BYTES = 1024 * 1024


class FileProblem(Exception):
    """Why a file is refused: a stable ``code`` and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, with the bytes to store."""

    kind: FileKind
    content: bytes
    original_name: str
    width: int | None = None
    height: int | None = None
    cleaned: bool = True  # False: an image as sent, re-encoded later by the conversion task

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS


def display_name(name: str | None) -> str:
    """The client's file name reduced to something safe to show: no folders, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255]


def sniff(content: bytes) -> FileKind | None:
    """The kind of file the bytes are, from their signature; ``None`` when it is none we accept."""
    if content.startswith(b"%PDF-"):
        return FileKind.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return FileKind.WEBP
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None


def check_file(content: bytes, name: str | None, allowed: frozenset[FileKind] | None = None) -> CheckedFile:
    """Check one file; returns what to store or raises ``FileProblem``."""
    if not content:
        raise FileProblem("empty_file", "The file is empty.")
    if len(content) > settings.SUBMISSIONS_MAX_FILE_BYTES:
        raise FileProblem(
            "file_too_large",
            f"The file is {_megabytes(len(content))}; a file may be at most "
            f"{_megabytes(settings.SUBMISSIONS_MAX_FILE_BYTES)}.",
        )
    kind = sniff(content)
    accepted = allowed or frozenset(FileKind)
    if kind is None or kind not in accepted:
        names = ", ".join(FileKind(k).label for k in sorted(accepted))
        raise FileProblem("unsupported_type", f"The file's content is not one of: {names} (its name does not matter).")
    original = display_name(name)
    if kind == FileKind.PDF:
        _check_pdf(content)
        return CheckedFile(kind, content, original)
    if kind in (FileKind.DOCX, FileKind.ODT):
        # Sniffing already opened and bounded the archive.
        return CheckedFile(kind, content, original)
    return _check_image(kind, content, original)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:]:
        raise FileProblem("invalid_document", "The PDF is incomplete (no end-of-file marker); upload it again.")


def _office_kind(content: bytes) -> FileKind | None:
    """DOCX or ODT when the zip is one; raises ``FileProblem`` for a broken or dangerous archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise FileProblem("invalid_document", "The file looks like a zip archive but cannot be read.") from exc
    with archive:
        _check_zip_bounds(entries)
        names = {entry.filename for entry in entries}
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            content_types = _read_entry(archive, "[Content_Types].xml")
            if "word/vbaProject.bin" in names or b"macroEnabled" in content_types:
                raise FileProblem("unsupported_type", "Word documents with macros are not accepted.")
            if DOCX_MAIN_TYPE.encode() not in content_types:
                raise FileProblem("invalid_document", "The Word document declares no main document part.")
            return FileKind.DOCX
        if "mimetype" in names and "content.xml" in names:
            if _read_entry(archive, "mimetype").strip() != ODT_MIMETYPE:
                return None  # another OpenDocument type (spreadsheet, presentation...): not accepted
            if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                raise FileProblem("unsupported_type", "OpenDocument files with macros are not accepted.")
            return FileKind.ODT
    return None


def _check_zip_bounds(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileProblem("archive_too_large", f"The document holds more than {MAX_ZIP_ENTRIES} parts.")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > settings.SUBMISSIONS_MAX_UNPACKED_BYTES:
        raise FileProblem(
            "archive_too_large",
            f"The document would unpack to {_megabytes(unpacked)}; at most "
            f"{_megabytes(settings.SUBMISSIONS_MAX_UNPACKED_BYTES)} is accepted.",
        )
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise FileProblem("archive_too_large", "The document is compressed suspiciously well (a zip bomb?).")


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as member:
            data = member.read(MAX_IDENTIFYING_ENTRY_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError) as exc:
        # RuntimeError: encrypted entry; NotImplementedError: unknown compression method.
        raise FileProblem("invalid_document", f"The document's part {name!r} cannot be read.") from exc
    if len(data) > MAX_IDENTIFYING_ENTRY_BYTES:
        raise FileProblem("invalid_document", f"The document's part {name!r} is implausibly large.")
    return data


def _check_image(kind: FileKind, content: bytes, original: str) -> CheckedFile:
    """The image's header read and its size bounded; nothing is decoded (``Image.open`` is lazy)."""
    max_pixels = settings.SUBMISSIONS_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above twice its own limit raises) on huge images; we decide ourselves.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[kind]]) as image:
                width, height = image.size  # read from the header
                if width * height > max_pixels:
                    raise FileProblem(
                        "image_too_large",
                        f"The image is {width}×{height} pixels; at most {max_pixels:,} pixels are accepted.",
                    )
                if kind == FileKind.PNG:
                    image.verify()  # chunk checksums only: no pixel data is inflated
    except FileProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit (Image.MAX_IMAGE_PIXELS, the same budget) struck first, in the header.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise FileProblem(
            "image_too_large", f"The image has {size}; at most {max_pixels:,} pixels are accepted."
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FileProblem("invalid_image", "The image cannot be decoded; it may be damaged.") from exc
    return CheckedFile(kind, content, original, width=width, height=height, cleaned=False)


def clean_image(kind: FileKind, content: bytes, max_pixels: int) -> tuple[bytes, int, int]:
    """Decode and re-encode without metadata: (bytes, width, height) of the image to store.

    A pure function of its arguments (it runs in a sandbox child, where settings are not read).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise FileProblem("image_too_large", f"The image is {width}×{height} pixels.")
                image.load()
                cleaned, (width, height) = _strip(image, kind)
    except FileProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileProblem("image_too_large", "The image has too many pixels to be decoded safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FileProblem("invalid_image", "The image cannot be decoded; it may be damaged.") from exc
    return cleaned, width, height


def _strip(image: Image.Image, kind: FileKind) -> tuple[bytes, tuple[int, int]]:
    """Re-encode without metadata; EXIF orientation is applied to the pixels first, then dropped.

    Returns the bytes and the size of the stored image (a rotation swaps width and height).
    """
    rotated = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    if kind == FileKind.JPEG:
        if rotated.mode not in ("RGB", "L"):
            rotated = rotated.convert("RGB")
        rotated.save(out, "JPEG", quality=90)
    elif kind == FileKind.PNG:
        # Not optimize=True: it tries every zlib setting, seconds on a large image for a few percent.
        rotated.save(out, "PNG")
    else:
        rotated.save(out, "WEBP", quality=90)
    # No exif=, no pnginfo=, no comment=: Pillow writes none of the original metadata.
    return out.getvalue(), rotated.size
