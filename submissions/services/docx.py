"""A Word document (``body_docx``) turned into the body sections of a case, with mammoth.

mammoth reads the document's structure (headings, paragraphs, lists, bold, italic, links) into
simple HTML. The HTML is cut at its headings: a heading that names a body section ("Context",
"Objectives", "Lessons learned", or its Russian name; numbering and a trailing colon ignored)
starts that section; everything else — text before the first such heading, and under other
headings (kept as a bold line) — goes to ``context``. Each section is then sanitised by the body's
own nh3 allow-list (``submissions.rich_text.to_rich_text``), like any body text a stranger sends.
Images inside the document are dropped (never read); send them as attachments.

The file has been judged already (``services.files``: a real Word document, no macros, its
unpacked size bounded), so mammoth only ever reads a bounded, checked archive. mammoth still costs
about 1.5 s of CPU and 30 MB per MB of ``word/document.xml`` (a 60 MB text part: 100 s and 1.9 GB),
so the text part is bounded too (``SUBMISSIONS_MAX_DOCX_TEXT_BYTES``, read from the zip's central
directory before anything is unpacked), and mammoth runs in a child process within
``SUBMISSIONS_DOCX_CPU_SECONDS`` and ``SUBMISSIONS_DOCX_MEMORY_BYTES`` (``services.sandbox``).
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape

import mammoth
import nh3
from django.conf import settings

from manual.models import BODY_SECTIONS
from submissions.rich_text import to_rich_text
from submissions.services.files import FileProblem
from submissions.services.sandbox import LimitExceeded, run_limited

# Section -> the heading texts that name it (compared lower-case, without numbering or colon).
SECTION_HEADINGS: dict[str, set[str]] = {
    "context": {"context", "background", "контекст", "предыстория"},
    "objectives": {"objectives", "goals", "aims", "цели", "задачи", "цели и задачи"},
    "approach": {"approach", "method", "methodology", "подход", "методология"},
    "technology": {"technology", "technologies", "tools", "технология", "технологии"},
    "results": {"results", "outcomes", "impact", "результаты"},
    "lessons": {"lessons", "lessons learned", "lessons learnt", "уроки", "извлечённые уроки", "извлеченные уроки"},
    "transferability": {"transferability", "replicability", "переносимость", "применимость", "тиражируемость"},
}
_HEADING_OF = {text: section for section, texts in SECTION_HEADINGS.items() for text in texts}
_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_NUMBERING = re.compile(r"^[\s\d.)\-–—]*|[\s:.]*$")


class DocxUnreadable(Exception):
    """The document cannot become body text; ``code`` says why (the field is ``body_docx``)."""

    def __init__(self, message: str, code: str = "invalid_document") -> None:
        super().__init__(message)
        self.code = code


def _no_images(image):  # mammoth's image converter: the image is never read
    return {}


def _check_text_size(content: bytes) -> None:
    """Refuse a text part mammoth would take too long to read; sizes from the central directory."""
    limit = settings.SUBMISSIONS_MAX_DOCX_TEXT_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            size = archive.getinfo("word/document.xml").file_size
    except (KeyError, zipfile.BadZipFile, ValueError, EOFError):
        raise DocxUnreadable("The Word document has no readable text part.") from None
    if size > limit:
        raise DocxUnreadable(
            f"The document's text is {size / 2**20:.1f} MB of Word markup; a body document may have at most "
            f"{limit / 2**20:.0f} MB (the body holds at most 7 sections of 20 000 characters): "
            "send the text in the body fields instead.",
            "document_too_large",
        )


def _to_html(content: bytes) -> str:
    """mammoth's HTML of the document (runs in the sandbox child: a pure function of the bytes)."""
    result = mammoth.convert_to_html(io.BytesIO(content), convert_image=mammoth.images.img_element(_no_images))
    return result.value


def _section_of(heading_html: str) -> str | None:
    text = nh3.clean(heading_html, tags=set())
    text = _NUMBERING.sub("", " ".join(text.split())).lower()
    return _HEADING_OF.get(text)


def docx_sections(content: bytes) -> dict[str, str]:
    """The body sections found in the document, each sanitised rich text (empty ones left out)."""
    _check_text_size(content)
    try:
        html = run_limited(
            _to_html,
            content,
            cpu_seconds=settings.SUBMISSIONS_DOCX_CPU_SECONDS,
            memory_bytes=settings.SUBMISSIONS_DOCX_MEMORY_BYTES,
            wall_seconds=settings.SUBMISSIONS_DOCX_CPU_SECONDS * 3,
        )
    except LimitExceeded as exc:
        raise DocxUnreadable(f"The Word document is too costly to read: {exc.message}", "too_costly") from None
    except FileProblem as exc:  # mammoth raises many kinds of errors on damaged documents
        raise DocxUnreadable(f"The Word document cannot be read: {exc.message}") from None
    parts: dict[str, list[str]] = {name: [] for name in BODY_SECTIONS}
    current, position = "context", 0
    for match in _HEADING.finditer(html):
        parts[current].append(html[position : match.start()])
        section = _section_of(match.group(2))
        if section is None:
            # Another heading: its text stays, as a bold line, in the section it appears in.
            parts[current].append(f"<p><b>{escape(nh3.clean(match.group(2), tags=set()), quote=False)}</b></p>")
        else:
            current = section
        position = match.end()
    parts[current].append(html[position:])
    sections = {}
    for name, chunks in parts.items():
        text = to_rich_text("".join(chunks)) if "".join(chunks).strip() else ""
        if text:
            sections[name] = text
    return sections


def merge_into_body(document: dict, sections: dict[str, str]) -> dict:
    """The document with the Word document's sections in its body.

    A section the document leaves empty is filled; where the document gives the section too, the
    Word document's text follows the document's own, so nothing sent is lost.
    """
    body = document.get("body")
    body = dict(body) if isinstance(body, dict) else {}
    for name, html in sections.items():
        given = body.get(name)
        if not isinstance(given, str) or not given.strip():
            body[name] = html
        else:
            body[name] = to_rich_text(given) + html
    return {**document, "body": body}
