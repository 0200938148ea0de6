"""Review: a converted submission goes through Wagtail's own "Editorial review" workflow.

``start_review`` starts the workflow on the draft's latest revision (the one conversion saved);
moderators then act in the Wagtail admin as on any page. Wagtail's workflow signals are turned into
submission statuses by the thin handlers in ``submissions.signals``, which call the functions below:

- workflow approved (the revision is published): ``published``, the approving moderator as actor;
- workflow rejected: ``rejected``, with the moderator's comment as the note (in Wagtail a rejected
  draft can still be edited and resubmitted: the task starting again puts it back ``in_review``);
- the page published outside the workflow (an editor with publish rights cancels the review and
  publishes the draft): ``published`` too, since what went live contains the submission.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.models import Page, Revision, TaskState, Workflow, WorkflowState

from manual.models import CaseStudyPage
from manual.services.review import REVIEW_WORKFLOW
from submissions.models import Submission, SubmissionStatus
from submissions.services.status import transition


class ReviewUnavailable(Exception):
    """The draft cannot enter the review workflow now (already in review, or no workflow)."""


def review_workflow_for(page: Page) -> Workflow:
    workflow = page.get_workflow() or Workflow.objects.filter(name=REVIEW_WORKFLOW, active=True).first()
    if workflow is None:
        raise ReviewUnavailable(f"no active {REVIEW_WORKFLOW!r} workflow covers page {page.pk}")
    return workflow


def start_review(submission: Submission, page: Page, actor: Any = None) -> WorkflowState:
    """Submit the draft to moderators and mark the submission ``in_review``."""
    if page.workflow_in_progress:
        raise ReviewUnavailable(f"page {page.pk} is already in a workflow")
    workflow = review_workflow_for(page)
    with transaction.atomic():
        state = workflow.start(page, actor if getattr(actor, "is_authenticated", False) else None)
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


def on_workflow_rejected(state: WorkflowState, user: Any) -> None:
    task_state: TaskState | None = state.current_task_state
    comment = (task_state.comment if task_state else "") or ""
    with transaction.atomic():
        for submission in _in({SubmissionStatus.IN_REVIEW}).filter(workflow_state=state):
            transition(submission, SubmissionStatus.REJECTED, actor=user, note=comment or "Rejected in review.")


def on_task_submitted(task_state: TaskState, user: Any) -> None:
    """A rejected draft resubmitted to the workflow (by an editor) is in review again."""
    with transaction.atomic():
        for submission in _in({SubmissionStatus.REJECTED}).filter(workflow_state_id=task_state.workflow_state_id):
            transition(submission, SubmissionStatus.IN_REVIEW, actor=user, note="Resubmitted for review.")


def on_page_published(page: Page, revision: Revision | None) -> None:
    """Publication outside the workflow: submissions whose revision is part of what went live."""
    if revision is None or not isinstance(page, CaseStudyPage):
        return
    with transaction.atomic():
        pending = _in({SubmissionStatus.IN_REVIEW, SubmissionStatus.REJECTED}).filter(
            page_id=page.pk, revision_id__lte=revision.pk
        )
        for submission in pending.select_related("workflow_state"):
            state = submission.workflow_state
            if state is not None and state.status == WorkflowState.STATUS_APPROVED:
                continue  # the workflow finished: on_workflow_approved follows with the moderator as actor
            transition(submission, SubmissionStatus.PUBLISHED, note="Published outside the review workflow.")
