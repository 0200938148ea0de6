"""The life of a submission: allowed transitions, each one recorded, and what its submitter may see.

Every change of ``Submission.status`` goes through ``transition``, which refuses moves that
``models.ALLOWED_TRANSITIONS`` does not list and writes a ``SubmissionEvent`` (from, to, actor,
note to the submitter, internal note) in the same transaction: the audit log is complete by construction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from core.api_errors import NotFound
from submissions.models import ALLOWED_TRANSITIONS, Submission, SubmissionEvent, SubmissionStatus
from submissions.services.idempotency import token_matches


class TransitionNotAllowed(Exception):
    pass


def transition(
    submission: Submission, to: SubmissionStatus, *, actor: Any = None, note: str = "", internal_note: str = ""
) -> SubmissionEvent:
    """Move ``submission`` to ``to``, recording who did it (a user, or None for the system) and why:
    ``note`` for the submitter to read, ``internal_note`` for staff only (never shown to the submitter)."""
    if to not in ALLOWED_TRANSITIONS[SubmissionStatus(submission.status)]:
        raise TransitionNotAllowed(f"submission {submission.pk}: {submission.status} -> {to} is not allowed")
    with transaction.atomic():
        event = SubmissionEvent.objects.create(
            submission=submission,
            from_status=submission.status,
            to_status=to,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
            internal_note=internal_note,
        )
        submission.status = to
        submission.save(update_fields=["status", "updated_at"])
    return event


def find_for_token(submission_id: str, token: str | None) -> Submission:
    """The submission, for the holder of its status token; 404 alike for unknown ids and wrong tokens."""
    not_found = NotFound("No submission with this id and token.")
    try:
        key = uuid.UUID(submission_id)
    except ValueError:
        raise not_found from None
    submission = Submission.objects.filter(pk=key).select_related("page").first()
    if submission is None or not token_matches(token, submission.status_token_hash):
        raise not_found
    return submission


def status_report(submission: Submission, request: HttpRequest | None = None) -> dict[str, Any]:
    """Status and history for the submitter: no personal data, no names of staff, no internal notes.

    The API and the HTML status page both answer from this: it is the one place that decides what
    of the history a submitter sees, so ``internal_note`` is never even loaded here.
    """
    case = None
    page = submission.page
    if submission.status == SubmissionStatus.PUBLISHED and page is not None and page.live:
        case = {"id": page.pk, "url": page.get_full_url(request)}
    return {
        "id": submission.pk,
        "status": submission.status,
        "locale": submission.locale,
        "created_at": submission.created_at,
        "updated_at": submission.updated_at,
        "case": case,
        "history": [
            {"status": event.to_status, "at": event.created_at, "note": event.note}
            for event in submission.events.only("to_status", "created_at", "note")
        ],
    }
