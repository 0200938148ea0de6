"""A similar case already exists? Same title (any case), or same organisation and city.

Looked for among case study pages (live or draft; aliases are copies and left out) and other
submissions (spam left out). The submission's own page, its translations and the case it
proposes to update are not duplicates of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from wagtail.models import Page

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionStatus


@dataclass
class Duplicates:
    pages: list[CaseStudyPage]
    submissions: list[Submission]

    def __bool__(self) -> bool:
        return bool(self.pages or self.submissions)


def find_duplicates(submission: Submission, limit: int = 20) -> Duplicates:
    payload = submission.payload
    title = str(payload.get("title") or "").strip()
    organisation = str(payload.get("organisation") or "").strip()
    city = str(payload.get("city") or "").strip()

    page_match = Q(title__iexact=title) if title else Q(pk__in=[])
    submission_match = Q(payload__title__iexact=title) if title else Q(pk__in=[])
    if organisation and city:
        page_match |= Q(organisation__iexact=organisation, city__iexact=city)
        submission_match |= Q(payload__organisation__iexact=organisation, payload__city__iexact=city)

    own_keys = Page.objects.filter(pk__in=[pk for pk in (submission.page_id, submission.updates_case_id) if pk])
    pages = (
        CaseStudyPage.objects.filter(page_match, alias_of__isnull=True)
        .exclude(translation_key__in=own_keys.values("translation_key"))
        .select_related("locale")
        .order_by("-live", "title")[:limit]
    )
    submissions = (
        Submission.objects.filter(submission_match)
        .exclude(pk=submission.pk)
        .exclude(status=SubmissionStatus.SPAM)
        .order_by("-created_at")[:limit]
    )
    return Duplicates(list(pages), list(submissions))
