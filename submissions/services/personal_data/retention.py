"""Retention: rejected and spam submissions keep their submitter's personal data for a time only.

``manage.py purge_submissions`` (run daily) erases the personal data of those whose status last
changed over ``SUBMISSIONS_PURGE_DAYS`` days ago (``erase.erase_submission``); the submissions
themselves stay for the editors' records. docs/personal-data.md "Retention".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from submissions.models import Submission, SubmissionStatus
from submissions.services.personal_data.erase import EraseReport, erase_submission


@dataclass
class PurgeOutcome:
    submissions: int = 0
    report: EraseReport = field(default_factory=EraseReport)


def purge_candidates(days: int) -> QuerySet[Submission]:
    """Rejected and spam submissions, not yet erased, whose status last changed over ``days`` ago."""
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Submission.objects.filter(status__in=[SubmissionStatus.REJECTED, SubmissionStatus.SPAM])
        .annotate(last_change=Max("events__created_at"))
        .filter(Q(last_change__lt=cutoff) | Q(last_change__isnull=True, updated_at__lt=cutoff))
        .filter(contact__isnull=False)
        .exclude(contact__email="")
        .order_by("created_at")
    )


def purge(days: int, dry_run: bool = False) -> PurgeOutcome:
    """Erase the personal data of every candidate (``purge_candidates``); only count with ``dry_run``."""
    outcome = PurgeOutcome()
    for submission in purge_candidates(days):
        outcome.submissions += 1
        if not dry_run:
            outcome.report.counts.update(erase_submission(submission).counts)
    return outcome
