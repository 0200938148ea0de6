"""Mark a submission as spam: its final status, and nothing of it left in the review queue.

``mark_spam`` (the admin's "Mark spam" action) cancels the submission's review workflow if one
is running and deletes its draft case page when that page was made from this submission and never
published (with the aliases of other locales): spam must not stay in the page tree. An
``updates_case`` submission's page is a published case: it stays online as it is; the spam draft
revision is superseded by a new revision made from the live one. Either way the Wagtail images and
documents made from its attachments, never published, are deleted (``services.media``). Nothing
live is unpublished. The private files stay with the submission (evidence) until
``purge_submissions`` erases its personal data.

The move must be allowed by ``models.ALLOWED_TRANSITIONS`` (``services.status.transition``);
it is checked before anything is touched.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.models import Page, WorkflowState

from submissions.models import ALLOWED_TRANSITIONS, Submission, SubmissionEvent, SubmissionStatus
from submissions.services import media
from submissions.services.status import TransitionNotAllowed, transition


def can_mark_spam(submission: Submission) -> bool:
    return SubmissionStatus.SPAM in ALLOWED_TRANSITIONS[SubmissionStatus(submission.status)]


# The internal note when the moderator wrote none; the submitter's note stays empty then.
DEFAULT_INTERNAL_NOTE = "Marked as spam."


def mark_spam(submission: Submission, actor: Any, *, note: str = "", internal_note: str = "") -> SubmissionEvent:
    """``note`` is shown to the submitter (status page and API; no e-mail is sent for spam), and is
    usually left empty; ``internal_note`` (why it is spam) stays in the admin. Both keyword-only, so
    a caller must say which one it writes: a verdict for colleagues must not land in ``note``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if not can_mark_spam(submission):
            raise TransitionNotAllowed(f"submission {submission.pk}: {submission.status} -> spam is not allowed")
        state = WorkflowState.objects.filter(pk=submission.workflow_state_id).first()
        if state is not None and state.status in (WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES):
            state.cancel(user=user)
        page = Page.objects.filter(pk=submission.page_id).first() if submission.page_id else None
        if page is not None:
            if not submission.updates_case_id and not page.live and page.first_published_at is None:
                _delete_draft(page)
            elif submission.updates_case_id and page.live and page.live_revision_id:
                live = page.live_revision.as_object()
                live.save_revision(user=user, log_action=True)
        media.discard_files(submission)
        return transition(
            submission,
            SubmissionStatus.SPAM,
            actor=user,
            note=note.strip(),
            internal_note=internal_note.strip() or DEFAULT_INTERNAL_NOTE,
        )


def _delete_draft(page: Page) -> None:
    for alias in Page.objects.filter(alias_of=page):
        alias.delete()
    page.delete()
