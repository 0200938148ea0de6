"""Store a validated submission: all of it, or nothing.

Rows are written in one transaction; files are written into the private storage inside it, and
removed again when anything fails before the transaction has committed (an error while writing a
later file, a constraint, the commit itself). So a refused or failed submission leaves neither rows
nor files behind. (Inside an outer transaction that a caller rolls back later, the files would
stay: intake runs in autocommit, as Django views do by default.)
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from submissions.models import (
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
    SubmissionStatus,
    SubmitterContact,
)
from submissions.services.files import CheckedFile
from submissions.services.idempotency import new_status_token, sha256
from submissions.services.validate import ValidSubmission
from submissions.storage import private_storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredSubmission:
    submission: Submission
    status_token: str  # shown once, to the submitter; only its hash is stored


def case_payload(valid: ValidSubmission) -> dict:
    """The case fields as stored on the submission: everything but the submitter and their consent."""
    return valid.data.model_dump(mode="json", exclude={"contact", "consent"})


def store_submission(
    valid: ValidSubmission,
    *,
    fingerprint: str,
    request_hash: str,
    idempotency_key: str | None = None,
    channel: str = "api",
) -> StoredSubmission:
    written: list[str] = []
    try:
        with transaction.atomic():
            submission = Submission(
                locale=valid.locale.language_code,
                payload=case_payload(valid),
                client_fingerprint=fingerprint,
                idempotency_key_hash=sha256(idempotency_key) if idempotency_key else None,
                request_hash=request_hash,
                updates_case=valid.updates_case,
            )
            token = new_status_token(str(submission.pk), idempotency_key)
            submission.status_token_hash = sha256(token)
            submission.save()

            contact, consent = valid.data.contact, valid.data.consent
            SubmitterContact.objects.create(
                submission=submission,
                name=contact.name,
                email=contact.email,
                organisation=contact.organisation,
                role=contact.role,
                consent_terms=consent.terms,
                consent_publish_contact=consent.publish_contact,
                licence=consent.licence or settings.SUBMISSIONS_DEFAULT_LICENCE,
                consent_text_version=settings.SUBMISSIONS_CONSENT_VERSION,
            )

            for role, position, checked in valid.files:
                store_attachment(submission, role, position, checked, written)

            SubmissionEvent.objects.create(
                submission=submission,
                from_status="",
                to_status=SubmissionStatus.RECEIVED,
                note=f"Received ({channel}).",
            )
    except BaseException:
        _remove(written)
        raise
    return StoredSubmission(submission, token)


def store_attachment(
    submission: Submission, role: str, position: int, checked: CheckedFile, written: list[str]
) -> SubmissionAttachment:
    """Write one checked file to the private storage and record it; its name goes to ``written``
    so that the caller can remove the file again if its transaction fails."""
    attachment = SubmissionAttachment(
        submission=submission,
        role=role,
        position=position,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        original_name=checked.original_name,
        width=checked.width,
        height=checked.height,
        cleaned=checked.cleaned,
    )
    # The stored name is ours (<submission>/<attachment id>.<ext>); the client's is display text.
    attachment.file.save(f"{attachment.pk}.{checked.extension}", ContentFile(checked.content), save=False)
    written.append(attachment.stored_name)
    attachment.save()
    return attachment


def _remove(names: list[str]) -> None:
    storage = private_storage()
    folders = set()
    for name in names:
        try:
            storage.delete(name)
            folders.add(Path(storage.path(name)).parent)
        except NotImplementedError:  # a storage without local paths has no folders to tidy
            continue
        except OSError:  # pragma: no cover - logged; the original error matters more
            logger.exception("could not remove a file of a failed submission", extra={"file": name})
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
