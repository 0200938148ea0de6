"""Signal handlers of the submissions app: thin, each calls a service."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.dispatch import receiver
from wagtail.signals import page_published, task_submitted, workflow_approved, workflow_rejected

from submissions.services import review
from submissions.services.media import conceal_unpublished


def create_cache_table_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The rate-limit cache table exists as soon as the schema does (tests, make run, deploys).

    ``createcachetable`` is idempotent and only touches database caches, so it is a no-op when the
    ``submissions`` cache is configured elsewhere.
    """
    call_command("createcachetable", database=using, verbosity=0)


def conceal_unpublished_files_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Images and documents made before files in review were kept private go private now."""
    conceal_unpublished()


@receiver(workflow_approved, dispatch_uid="submissions_workflow_approved")
def workflow_approved_handler(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    review.on_workflow_approved(instance, user)


@receiver(workflow_rejected, dispatch_uid="submissions_workflow_rejected")
def workflow_rejected_handler(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    review.on_workflow_rejected(instance, user)


@receiver(task_submitted, dispatch_uid="submissions_task_submitted")
def task_submitted_handler(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    review.on_task_submitted(instance, user)


@receiver(page_published, dispatch_uid="submissions_page_published")
def page_published_handler(sender: Any, instance: Any, revision: Any = None, **kwargs: Any) -> None:
    review.on_page_published(instance, revision)
