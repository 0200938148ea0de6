"""Background work of submissions, run by django-tasks (immediately by default, or by db_worker)."""

from __future__ import annotations

import logging

from django_tasks import task

from submissions.models import Submission
from submissions.services.convert import ConversionError, convert_submission

logger = logging.getLogger(__name__)


@task()
def convert_submission_task(submission_id: str) -> int | None:
    """Convert one submission; returns the page id. Arguments are JSON: the submission's id as text."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        logger.warning("submission to convert not found", extra={"submission": submission_id})
        return None
    try:
        page = convert_submission(submission)
    except ConversionError as exc:
        # Expected now and then (the case to update is in review already...): the submission stays
        # ``received`` and an editor converts it later.
        logger.warning("submission not converted", extra={"submission": submission_id, "reason": str(exc)})
        return None
    except Exception:
        # The immediate backend only records failures on its result; say it where operators look.
        logger.exception("submission conversion failed", extra={"submission": submission_id})
        raise
    return page.pk if page else None


@task()
def send_notification_task(kind: str, submission_id: str, context: dict | None = None) -> int:
    """Send one kind of e-mail about a submission (services.notifications); returns the messages sent."""
    from submissions.services.notifications import send

    try:
        return send(kind, submission_id, context or {})
    except Exception:
        logger.exception("submission e-mail failed", extra={"submission": submission_id, "kind": kind})
        raise


@task()
def release_files_task(submission_id: str) -> int:
    """Make the files of a published submission public (services.media); returns how many moved."""
    from submissions.services.media import release_files

    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return 0
    try:
        return release_files(submission)
    except Exception:
        # The case is live with its images still private (they show to staff only): say it loudly.
        logger.exception("submission files not published", extra={"submission": submission_id})
        raise
