"""Import cases from a JSON file: editors' trusted channel, through the same validate -> store -> convert steps.

``import_cases`` reads a JSON list (docs/import-format.md); every item is judged and written on its
own, in its own transaction, and answers one ``ItemReport``:

- ``created``: a new case (or a new translation, with ``translation_of``);
- ``updated``: an ``external_id`` imported before, with other content: a new revision of its page;
- ``unchanged``: the same item (document and files) as the last import of its ``external_id``;
- ``conflict``: an editor changed the page since the last import (its latest revision is not the
  one the import saved): the page is left alone;
- ``failed: field: reason``: refused by the submission validator (``services.validate``), or by the
  import's own fields (``external_id``, ``translation_of``, ``attachments``).

Each item is stored as a ``Submission`` (channel ``import``: its files, its contact and consent,
its history), so imported cases and submitted ones are the same data for the GDPR tools and the
admin. Unlike a submission, the draft does not enter the review workflow (editors trust their own
import); with ``publish`` its revision is published at once, and Wagtail's ``page_published``
signal brings it to the search index. No e-mails are sent and there is no rate limit.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import Locale

from manual.models import CaseStudyPage
from submissions.models import ImportedCase, Submission, SubmissionStatus, SubmitterContact
from submissions.services.convert import (
    CONVERT_LOG_ACTION,
    ConversionError,
    alias_in_synchronised_locales,
    fill_page,
    new_draft,
)
from submissions.services.idempotency import request_hash
from submissions.services.intake import Channel
from submissions.services.status import transition
from submissions.services.store import store_submission
from submissions.services.validate import SubmissionInvalid, UploadedPart, validate_submission

logger = logging.getLogger(__name__)

IMPORT_FIELDS = ("external_id", "translation_of", "attachments")
IMPORT_FINGERPRINT = "import"  # instead of a client's address: there is no client


class ItemFailed(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not a JSON list)."""


@dataclass(frozen=True)
class ItemReport:
    position: int
    external_id: str | None
    outcome: str  # created | updated | unchanged | conflict | failed
    detail: str = ""
    page_id: int | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    def line(self) -> str:
        who = f"#{self.position}" + (f" {self.external_id}" if self.external_id else "")
        text = f"{who}: {self.outcome}"
        if self.detail:
            text += f": {self.detail}"
        if self.page_id:
            text += f" (page {self.page_id})"
        return text


def read_import_file(path: Path) -> list[Any]:
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFileError(f"{path}: not a readable UTF-8 JSON file: {exc}") from None
    if not isinstance(items, list):
        raise ImportFileError(f"{path}: the import file must hold a JSON list of cases.")
    return items


def import_cases(path: Path, *, publish: bool = False, user: Any = None, report=None) -> list[ItemReport]:
    """Import every item of the file; ``report`` (optional) is called with each item's report as it is done."""
    path = Path(path)
    items = read_import_file(path)
    reports = []
    for position, item in enumerate(items):
        result = import_item(item, position, base=path.resolve().parent, publish=publish, user=user)
        reports.append(result)
        if report is not None:
            report(result)
    return reports


def import_item(item: Any, position: int, *, base: Path, publish: bool = False, user: Any = None) -> ItemReport:
    external_id = item.get("external_id") if isinstance(item, dict) else None
    external_id = external_id if isinstance(external_id, str) else None
    try:
        return _import(item, position, base, publish, user)
    except ItemFailed as exc:
        return ItemReport(position, external_id, "failed", f"{exc.field or 'item'}: {exc.reason}")
    except SubmissionInvalid as exc:
        detail = "; ".join(f"{error.field or 'item'}: {error.message}" for error in exc.errors)
        return ItemReport(position, external_id, "failed", detail)
    except ConversionError as exc:
        return ItemReport(position, external_id, "failed", f"item: {exc}")
    except Exception as exc:  # one item's failure must not stop the others; its transaction rolled back
        logger.exception("import item failed", extra={"position": position, "external_id": external_id})
        return ItemReport(position, external_id, "failed", f"item: {type(exc).__name__}: {exc}")


def _import(item: Any, position: int, base: Path, publish: bool, user: Any) -> ItemReport:
    if not isinstance(item, dict):
        raise ItemFailed(None, "each case must be a JSON object")
    document = {key: value for key, value in item.items() if key not in IMPORT_FIELDS}
    external_id = _optional_text(item, "external_id")
    translation_of = _optional_text(item, "translation_of")
    if translation_of and not external_id:
        raise ItemFailed("external_id", "a translation needs its own external_id")
    if document.get("updates_case") is not None:
        raise ItemFailed("updates_case", "not used by the import: re-import the case with its external_id")
    parts = _read_attachments(item.get("attachments"), base)

    valid = validate_submission(document, parts)  # the one validator: SubmissionInvalid names the field
    content_hash = request_hash(
        {**document, "translation_of": translation_of}, b"", [("attachment", i, p.content) for i, p in enumerate(parts)]
    )

    written: list[Any] = []  # files written by this item: removed again when its transaction fails
    try:
        with transaction.atomic():
            return _write_item(valid, position, external_id, translation_of, content_hash, publish, user, written)
    except BaseException:
        for file in written:
            with contextlib.suppress(OSError):
                file.storage.delete(file.name)
        raise


def _write_item(valid, position, external_id, translation_of, content_hash, publish, user, written) -> ItemReport:
    record = ImportedCase.objects.select_for_update().filter(external_id=external_id).first() if external_id else None
    source = _translation_source(translation_of, valid.locale) if translation_of else None
    if record is not None:
        page = CaseStudyPage.objects.get(pk=record.page_id)
        if page.latest_revision_id != record.revision_id:
            return ItemReport(
                position, external_id, "conflict", "changed by an editor since the last import; left alone", page.pk
            )
        if record.content_hash == content_hash:
            if publish and page.live_revision_id != record.revision_id and record.revision is not None:
                _publish(record.revision, record.submission, user)
                return ItemReport(position, external_id, "updated", "published", page.pk)
            return ItemReport(position, external_id, "unchanged", "", page.pk)
        if page.locale_id != valid.locale.pk:
            raise ItemFailed("locale", f"the case was imported in {page.locale.language_code!r}; it cannot move")
    page, revision, submission = _write(valid, content_hash, record, source, user, written)
    if publish:
        _publish(revision, submission, user)
    if record is None:
        if external_id:
            ImportedCase.objects.create(
                external_id=external_id,
                page=page,
                revision=revision,
                submission=submission,
                content_hash=content_hash,
            )
        return ItemReport(position, external_id, "created", "", page.pk)
    record.revision, record.submission, record.content_hash = revision, submission, content_hash
    record.save()
    return ItemReport(position, external_id, "updated", "", page.pk)


def _optional_text(item: dict, name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ItemFailed(name, "expected a text of 1 to 255 characters")
    return value.strip()


def _read_attachments(paths: Any, base: Path) -> list[UploadedPart]:
    """The files named relative to the JSON file's folder; a path leading out of it is refused."""
    if paths is None:
        return []
    if not isinstance(paths, list):
        raise ItemFailed("attachments", "expected a list of paths relative to the import file")
    if len(paths) > settings.SUBMISSIONS_MAX_FILES:
        raise ItemFailed("attachments", f"at most {settings.SUBMISSIONS_MAX_FILES} files are accepted")
    parts = []
    for position, name in enumerate(paths):
        field = f"attachments.{position}"
        if not isinstance(name, str) or not name or "\x00" in name:
            raise ItemFailed(field, "expected a path relative to the import file")
        if Path(name).is_absolute():
            raise ItemFailed(field, "absolute paths are refused; give a path relative to the import file")
        target = (base / name).resolve()  # symlinks resolved too: a link out of the folder is refused
        if not target.is_relative_to(base):
            raise ItemFailed(field, "the path leads out of the import file's folder")
        if not target.is_file():
            raise ItemFailed(field, f"no such file: {name}")
        size = target.stat().st_size
        if size > settings.SUBMISSIONS_MAX_FILE_BYTES:
            parts.append(UploadedPart(b"", target.name, size=size))  # refused by the validator, by its size
        else:
            parts.append(UploadedPart(target.read_bytes(), target.name, size=size))
    return parts


def _translation_source(translation_of: str, locale: Locale) -> CaseStudyPage:
    record = ImportedCase.objects.filter(external_id=translation_of).select_related("page").first()
    if record is None:
        raise ItemFailed("translation_of", f"no imported case has external_id {translation_of!r} (import it first)")
    source = record.page
    if source.locale_id == locale.pk:
        raise ItemFailed("translation_of", "the translation's locale must differ from its source's")
    return source


def _write(
    valid, content_hash: str, record: ImportedCase | None, source: CaseStudyPage | None, user: Any, written: list
):
    """Store the item as a submission, then fill the page from it and save a revision (no workflow)."""
    stored = store_submission(valid, fingerprint=IMPORT_FINGERPRINT, request_hash=content_hash, channel=Channel.IMPORT)
    submission = stored.submission
    written.extend(attachment.file for attachment in submission.attachments.all())
    contact = SubmitterContact.objects.get(submission=submission)
    if record is not None:
        page = CaseStudyPage.objects.get(pk=record.page_id).get_latest_revision_as_object()
        fill_page(page, submission, valid.locale, contact, written, contacts=[])
    elif source is not None:
        page = _translation_page(source, valid.locale)
        fill_page(page, submission, valid.locale, contact, written, contacts=[])
    else:
        page = new_draft(submission, valid.locale, contact, written)
    revision = page.save_revision(user=user, log_action=True)
    log(page, CONVERT_LOG_ACTION, user=user, revision=revision, data={"submission": str(submission.pk)})
    submission.page, submission.revision = page, revision
    submission.save(update_fields=["page", "revision", "updated_at"])
    transition(submission, SubmissionStatus.CONVERTED, actor=user, note="Imported by an editor.")
    if record is None and source is None:
        alias_in_synchronised_locales(page)
    return page, revision, submission


def _translation_page(source: CaseStudyPage, locale: Locale) -> CaseStudyPage:
    """The page in ``locale`` sharing the source's translation_key: made, or turned from an alias into a page."""
    existing = CaseStudyPage.objects.filter(translation_key=source.translation_key, locale=locale).first()
    if existing is None:
        return source.copy_for_translation(locale, copy_parents=True)
    if existing.alias_of_id is None:
        raise ItemFailed(
            "translation_of",
            f"page {existing.pk} already translates this case in {locale.language_code!r}, outside the import",
        )
    # wagtail-localize keeps synchronised locales' trees with alias pages (source-language copies):
    # the alias becomes the translation, as wagtail-localize does when a page is translated.
    existing.alias_of = None
    existing.save(update_fields=["alias_of"], clean=False)
    return CaseStudyPage.objects.get(pk=existing.pk)


def _publish(revision, submission: Submission | None, user: Any) -> None:
    revision.publish(user=user, log_action=True)
    if submission is not None:
        submission.refresh_from_db(fields=["status"])
        if submission.status == SubmissionStatus.CONVERTED:
            transition(submission, SubmissionStatus.PUBLISHED, actor=user, note="Published by the import.")
