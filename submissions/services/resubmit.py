"""Resubmission: the submitter corrects a submission a moderator sent back, through the edit link.

The edit link (``/<locale>/submit/<id>/edit/?token=...``, or ``PUT /api/v1/submissions/{id}`` with
the token) holds a secret made when changes were requested (``services.review``); it works while
the submission is ``changes_requested`` and for ``SUBMISSIONS_EDIT_LINK_DAYS``. The corrected
document is judged by the same validator as a new submission, with the files already stored
counted first (they are kept: the limits apply to old and new files together, and
``hero_attachment`` indexes the whole list). Then, all or nothing, the *same* submission gets the
new payload, contact and files, and goes back to ``received`` ("Resubmitted by the submitter");
once committed, conversion makes a new revision of the same draft and resumes its workflow
(``in_review``), and the moderators get an e-mail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from submissions.models import (
    AttachmentRole,
    Submission,
    SubmissionAttachment,
    SubmissionStatus,
    SubmitterContact,
)
from submissions.services.convert import convert_submission_task
from submissions.services.notifications import notify
from submissions.services.review import find_for_edit_token
from submissions.services.status import transition
from submissions.services.store import case_payload, store_attachment
from submissions.services.validate import FieldError, UploadedPart, ValidSubmission, validate_submission
from submissions.storage import private_storage

logger = logging.getLogger(__name__)

RESUBMITTED_NOTE = "Resubmitted by the submitter."


def stored_attachments(submission: Submission) -> list[SubmissionAttachment]:
    return list(submission.attachments.filter(role=AttachmentRole.ATTACHMENT).order_by("position"))


def _stored_parts(attachments: list[SubmissionAttachment]) -> list[UploadedPart]:
    parts = []
    for attachment in attachments:
        with attachment.file.open("rb") as source:
            content = source.read()
        parts.append(UploadedPart(content, attachment.original_name, size=len(content)))
    return parts


def resubmit(
    submission_id: str,
    token: str | None,
    document: Any,
    attachments: Sequence[UploadedPart] = (),
    body_docx: UploadedPart | None = None,
    known_problems: list[FieldError] | tuple[FieldError, ...] = (),
) -> Submission:
    """Validate the corrected document and store it on the same submission; raises
    ``EditLinkInvalid`` (wrong, expired or used link) or ``SubmissionInvalid`` (with every problem)."""
    submission = find_for_edit_token(submission_id, token)
    kept = stored_attachments(submission)
    if isinstance(document, dict):
        document = {**document, "locale": submission.locale}  # the language of a submission stays
    valid = validate_submission(
        document, _stored_parts(kept) + list(attachments), body_docx, known_problems=known_problems
    )
    written: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            locked = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
            find_for_edit_token(str(locked.pk), token)  # still valid now that the row is ours
            _store(locked, valid, len(kept), written, replaced)
            transition(locked, SubmissionStatus.RECEIVED, note=RESUBMITTED_NOTE)
            transaction.on_commit(partial(_after_commit, str(locked.pk), replaced), robust=True)
            notify("moderators_resubmitted", locked)
    except BaseException:
        storage = private_storage()
        for name in written:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise
    logger.info("submission resubmitted", extra={"submission": str(locked.pk)})
    return locked


def _after_commit(submission_id: str, replaced: list[str]) -> None:
    storage = private_storage()
    for name in replaced:  # a Word document the new one replaced
        with contextlib.suppress(OSError):
            storage.delete(name)
    convert_submission_task.enqueue(submission_id)


def _store(submission: Submission, valid: ValidSubmission, kept: int, written: list[str], replaced: list[str]) -> None:
    submission.payload = case_payload(valid)
    submission.updates_case = valid.updates_case
    # The link stops working with the status (it answers "used" rather than "unknown"); a new
    # request for changes makes a new one.
    submission.save(update_fields=["payload", "updates_case", "updated_at"])

    contact, consent = valid.data.contact, valid.data.consent
    SubmitterContact.objects.update_or_create(
        submission=submission,
        defaults={
            "name": contact.name,
            "email": contact.email,
            "organisation": contact.organisation,
            "role": contact.role,
            "consent_terms": consent.terms,
            "consent_publish_contact": consent.publish_contact,
            "licence": consent.licence or settings.SUBMISSIONS_DEFAULT_LICENCE,
            "consent_text_version": settings.SUBMISSIONS_CONSENT_VERSION,
        },
    )

    new_files = [(AttachmentRole.ATTACHMENT, position, checked) for position, checked in enumerate(valid.attachments)]
    new_files = [item for item in new_files if item[1] >= kept]  # the first ``kept`` are the stored ones
    if valid.body_docx is not None:
        for old in submission.attachments.filter(role=AttachmentRole.BODY_DOCX):
            replaced.append(old.stored_name)
            old.delete()
        new_files.append((AttachmentRole.BODY_DOCX, 0, valid.body_docx))
    for role, position, checked in new_files:
        store_attachment(submission, role, position, checked, written)
