"""Review: a converted submission goes through Wagtail's own "Editorial review" workflow.

``start_review`` starts the workflow on the draft's latest revision (the one conversion saved), or
resumes it when the submitter resubmitted after a request for changes; moderators then act in the
Wagtail admin as on any page. Wagtail's workflow signals are turned into submission statuses by
the thin handlers in ``submissions.signals``, which call the functions below:

- workflow approved (the revision is published): ``published``, the approving moderator as actor,
  and an e-mail to the submitter with the live page's address;
- workflow rejected (Wagtail's "Request changes"): ``changes_requested`` with the moderator's
  comment as the reason; the submitter gets an e-mail with a secret edit link
  (``/<locale>/submit/<id>/edit/?token=...``) to correct and resubmit the same submission;
- a draft that needs changes resubmitted to the workflow by an editor: ``in_review`` again;
- the page published outside the workflow (an editor with publish rights cancels the review and
  publishes the draft): ``published`` too, since what went live contains the submission.

Whatever publishes a page made from a submission, its images and documents become public after
the commit (``services.media.release_files``); a final rejection deletes them
(``services.media.discard_files``): nothing unreviewed is ever public.

Two actions for moderators (the admin's submission views call them; they validate and raise
``ReviewActionError`` with a message to show):

- ``request_changes(submission, reason, actor, internal_note=...)``: the same as "Request changes"
  in the workflow; a running task is rejected with the reason, so Wagtail's state matches;
- ``reject_submission(submission, reason, actor, internal_note=...)``: the final refusal: the page's
  workflow is cancelled, status ``rejected``, an e-mail with the reason.

The ``reason`` is written to the submitter (their e-mail, status page and edit page show it); the
optional ``internal_note`` is for colleagues and stays in the admin's history
(``SubmissionEvent.internal_note``), never in anything the submitter receives.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision, TaskState, Workflow, WorkflowState

from manual.models import CaseStudyPage
from manual.services.review import REVIEW_WORKFLOW
from submissions.models import ALLOWED_TRANSITIONS, Submission, SubmissionStatus
from submissions.services import media
from submissions.services.idempotency import sha256, token_matches
from submissions.services.notifications import notify
from submissions.services.status import transition

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000
# The note when a moderator requests changes in Wagtail without a comment (the comment is optional there).
NO_REASON_NOTE = "Changes requested in review."


class ReviewUnavailable(Exception):
    """The draft cannot enter the review workflow now (already in review, or no workflow)."""


class ReviewActionError(Exception):
    """A moderator's action refused (no reason, too long, not allowed in this status); ``str()`` says why."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class EditLinkInvalid(Exception):
    """An edit link that cannot be used: ``found`` is False for an unknown id or a wrong token."""

    def __init__(self, message: str, found: bool) -> None:
        super().__init__(message)
        self.message = message
        self.found = found


def review_workflow_for(page: Page) -> Workflow:
    workflow = page.get_workflow() or Workflow.objects.filter(name=REVIEW_WORKFLOW, active=True).first()
    if workflow is None:
        raise ReviewUnavailable(f"no active {REVIEW_WORKFLOW!r} workflow covers page {page.pk}")
    return workflow


def start_review(submission: Submission, page: Page, actor: Any = None) -> WorkflowState:
    """Submit the draft to moderators and mark the submission ``in_review``.

    A workflow waiting for changes on this submission's draft (``needs_changes``) is resumed: its
    task starts again on the latest revision, the one the resubmission made.
    """
    if page.workflow_in_progress:
        raise ReviewUnavailable(f"page {page.pk} is already in a workflow")
    user = actor if getattr(actor, "is_authenticated", False) else None
    current = page.current_workflow_state
    with transaction.atomic():
        if current is not None and current.status == WorkflowState.STATUS_NEEDS_CHANGES:
            current.resume(user=user)
            state = current
            workflow = current.workflow
        else:
            workflow = review_workflow_for(page)
            state = workflow.start(page, user)
        submission.workflow_state = state
        submission.save(update_fields=["workflow_state", "updated_at"])
        transition(submission, SubmissionStatus.IN_REVIEW, actor=actor, note=f"In {workflow.name}.")
    return state


def _in(statuses: set[SubmissionStatus]):
    # of=("self",): PostgreSQL cannot lock the nullable side of a join, and only these rows change.
    return Submission.objects.select_for_update(of=("self",)).filter(status__in=statuses)


def on_workflow_approved(state: WorkflowState, user: Any) -> None:
    with transaction.atomic():
        for submission in _in({SubmissionStatus.IN_REVIEW, SubmissionStatus.REJECTED}).filter(workflow_state=state):
            transition(submission, SubmissionStatus.PUBLISHED, actor=user, note="Approved and published.")
            notify("published", submission)


def on_workflow_rejected(state: WorkflowState, user: Any) -> None:
    """Wagtail's "Request changes": the submitter is asked to correct and resubmit."""
    task_state: TaskState | None = state.current_task_state
    comment = ((task_state.comment if task_state else "") or "").strip()
    with transaction.atomic():
        for submission in _in({SubmissionStatus.IN_REVIEW}).filter(workflow_state=state):
            _ask_for_changes(submission, comment[:MAX_REASON_LENGTH], user)


def on_task_submitted(task_state: TaskState, user: Any) -> None:
    """A draft that needed changes resubmitted to the workflow by an editor is in review again."""
    with transaction.atomic():
        waiting = _in({SubmissionStatus.CHANGES_REQUESTED, SubmissionStatus.REJECTED})
        for submission in waiting.filter(workflow_state_id=task_state.workflow_state_id):
            transition(submission, SubmissionStatus.IN_REVIEW, actor=user, note="Resubmitted for review.")


def on_page_published(page: Page, revision: Revision | None) -> None:
    """Any publication (the workflow's approval too): the files of the submissions whose revision is
    part of what went live become public; outside the workflow, those submissions are ``published``."""
    if revision is None or not isinstance(page, CaseStudyPage):
        return
    with transaction.atomic():
        # Every status but spam: an editor's import (``converted``) published from the admin too.
        for submission in (
            Submission.objects.filter(page_id=page.pk, revision_id__lte=revision.pk)
            .exclude(status=SubmissionStatus.SPAM)
            .filter(media.HAS_UNPUBLISHED_FILES)
            .distinct()
        ):
            media.schedule_release(submission)
        pending = _in(
            {SubmissionStatus.IN_REVIEW, SubmissionStatus.REJECTED, SubmissionStatus.CHANGES_REQUESTED}
        ).filter(page_id=page.pk, revision_id__lte=revision.pk)
        for submission in pending.select_related("workflow_state"):
            state = submission.workflow_state
            if state is not None and state.status == WorkflowState.STATUS_APPROVED:
                continue  # the workflow finished: on_workflow_approved follows with the moderator as actor
            transition(submission, SubmissionStatus.PUBLISHED, note="Published outside the review workflow.")
            notify("published", submission)


# --- moderators' actions ------------------------------------------------------------------------


def _clean_reason(reason: Any) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ReviewActionError("Give a reason: the submitter reads it.", "required")
    if len(text) > MAX_REASON_LENGTH:
        raise ReviewActionError(
            f"The reason is too long ({len(text)} characters; at most {MAX_REASON_LENGTH}).", "too_long"
        )
    return text


def clean_internal_note(note: Any) -> str:
    """The staff-only note of an action: optional, at most ``MAX_REASON_LENGTH`` characters."""
    text = str(note or "").strip()
    if len(text) > MAX_REASON_LENGTH:
        raise ReviewActionError(
            f"The internal note is too long ({len(text)} characters; at most {MAX_REASON_LENGTH}).", "too_long"
        )
    return text


def _locked(submission: Submission, allowed_from: set[SubmissionStatus], action: str) -> Submission:
    locked = Submission.objects.select_for_update(of=("self",)).select_related("page").get(pk=submission.pk)
    if locked.status not in allowed_from:
        label = SubmissionStatus(locked.status).label
        raise ReviewActionError(f"A submission with the status “{label}” cannot be {action}.", "not_allowed")
    return locked


def request_changes(submission: Submission, reason: str, actor: Any, *, internal_note: str = "") -> None:
    """Ask the submitter to correct the submission: ``changes_requested``, an e-mail with an edit link.

    While the draft's review task runs, the task is rejected with the reason (Wagtail's "Request
    changes"), so the page's workflow waits for changes too; the workflow signal then does the rest.
    The reason goes to the submitter; ``internal_note`` only into the history staff read.
    """
    text = _clean_reason(reason)
    internal = clean_internal_note(internal_note)
    with transaction.atomic():
        locked = _locked(submission, {SubmissionStatus.IN_REVIEW}, "sent back for changes")
        state = locked.workflow_state
        task_state = state.current_task_state if state is not None else None
        if (
            state is not None
            and state.status == WorkflowState.STATUS_IN_PROGRESS
            and task_state is not None
            and task_state.status == TaskState.STATUS_IN_PROGRESS
        ):
            user = actor if getattr(actor, "is_authenticated", False) else None
            task_state.specific.reject(user=user, comment=text)  # -> on_workflow_rejected
            locked.refresh_from_db(fields=["status"])
            if locked.status == SubmissionStatus.CHANGES_REQUESTED and internal:
                # The signal handler knows only Wagtail's comment (the reason): add the staff's note
                # to the event it just wrote. Wagtail never sees the internal note.
                event = locked.events.filter(to_status=SubmissionStatus.CHANGES_REQUESTED).order_by("-id").first()
                assert event is not None, "the transition to changes_requested writes its event"
                event.internal_note = internal
                event.save(update_fields=["internal_note"])
        if locked.status != SubmissionStatus.CHANGES_REQUESTED:
            _ask_for_changes(locked, text, actor, internal)
    submission.refresh_from_db()


def reject_submission(submission: Submission, reason: str, actor: Any, *, internal_note: str = "") -> None:
    """Refuse the submission for good: its draft's workflow is cancelled, ``rejected``, an e-mail.

    The reason goes to the submitter; ``internal_note`` only into the history staff read.
    """
    text = _clean_reason(reason)
    internal = clean_internal_note(internal_note)
    allowed = {status for status, targets in ALLOWED_TRANSITIONS.items() if SubmissionStatus.REJECTED in targets}
    allowed.discard(SubmissionStatus.REJECTED)
    with transaction.atomic():
        locked = _locked(submission, allowed, "rejected")
        state = locked.workflow_state
        if state is not None:
            state.refresh_from_db()
        if state is not None and state.status in (WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES):
            state.cancel(user=actor if getattr(actor, "is_authenticated", False) else None)
        locked.edit_token_hash, locked.edit_token_expires_at = "", None
        locked.save(update_fields=["edit_token_hash", "edit_token_expires_at", "updated_at"])
        media.discard_files(locked)  # never reviewed into the manual: they go, the originals stay
        transition(locked, SubmissionStatus.REJECTED, actor=actor, note=text, internal_note=internal)
        notify("rejected", locked, reason=text)  # the submitter's note only
    submission.refresh_from_db()


def _ask_for_changes(submission: Submission, reason: str, actor: Any, internal_note: str = "") -> None:
    """``changes_requested``, a new edit token (its hash stored), the e-mail carrying the link."""
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.SUBMISSIONS_EDIT_LINK_DAYS)
    submission.edit_token_hash = sha256(token)
    submission.edit_token_expires_at = expires
    submission.save(update_fields=["edit_token_hash", "edit_token_expires_at", "updated_at"])
    transition(
        submission,
        SubmissionStatus.CHANGES_REQUESTED,
        actor=actor,
        note=reason or NO_REASON_NOTE,
        internal_note=internal_note,
    )
    # The submitter's note only: the internal note never travels with the e-mail's task either.
    notify("changes_requested", submission, token=token, reason=reason, expires=expires.isoformat())


# --- the edit link ------------------------------------------------------------------------------


def find_for_edit_token(submission_id: str, token: str | None) -> Submission:
    """The submission the edit link is for, while it may be edited; ``EditLinkInvalid`` otherwise."""
    try:
        key = uuid.UUID(str(submission_id))
    except ValueError:
        raise EditLinkInvalid("No submission with this id and token.", found=False) from None
    submission = Submission.objects.filter(pk=key).first()
    if submission is None or not token_matches(token, submission.edit_token_hash):
        raise EditLinkInvalid("No submission with this id and token.", found=False)
    if submission.status != SubmissionStatus.CHANGES_REQUESTED:
        raise EditLinkInvalid("This submission cannot be edited any more.", found=True)
    if submission.edit_token_expires_at is None or submission.edit_token_expires_at <= timezone.now():
        raise EditLinkInvalid("This edit link has expired.", found=True)
    return submission


def changes_reason(submission: Submission) -> str:
    """The moderator's reason of the latest request for changes."""
    event = (
        submission.events.filter(to_status=SubmissionStatus.CHANGES_REQUESTED).order_by("-created_at", "-id").first()
    )
    if event is None or event.note == NO_REASON_NOTE:
        return ""
    return event.note
