"""How urgent each background task is: one declaration, named by every ``@task`` (django-tasks).

A worker takes the ready task of highest priority first (django-tasks-db orders its queue by
priority, then by when a task may run, then by age). Without priorities a worker serves the queue
in order of arrival, so a case published just after an open-data export was queued waits for that
whole export (17 s at 10,000 cases, docs/performance.md) before it is searchable, purged from the
HTTP cache or shown with its images. The immediate backend (``make run``) runs every task at once
and ignores them.
"""

from __future__ import annotations

from enum import IntEnum


class TaskPriority(IntEnum):
    """Priorities in django-tasks' range (-100 to 100; 0 is its default)."""

    # A publication reaching readers: the search index, the HTTP cache's purges, the case's images
    # made public. Each is small and per change.
    PUBLICATION = 50
    # A person waits for it: the conversion of their submission, the e-mails of review and feedback.
    PERSON_WAITING = 20
    # Bookkeeping nobody waits for: Wagtail's reference index (the admin's usage counts), as its
    # own task has (django-tasks' default).
    BOOKKEEPING = 0
    # Rebuilt as a whole and served stale meanwhile: the sitemap parts, the open-data exports.
    REBUILD = -20
