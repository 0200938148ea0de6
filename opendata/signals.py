"""Thin signal handlers: a case published, unpublished, moved or deleted makes the dumps stale.

Connected when ``OpenDataConfig.ready`` imports this module; ``services.dumps.request_refresh``
coalesces what one transaction does into one refresh after its commit.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from manual.models import CaseStudyPage
from opendata.services.dumps import request_refresh


@receiver(page_published, dispatch_uid="opendata-page-published")
@receiver(page_unpublished, dispatch_uid="opendata-page-unpublished")
def case_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    # Wagtail sends these signals with the specific page.
    if isinstance(instance, CaseStudyPage):
        request_refresh()


@receiver(post_page_move, dispatch_uid="opendata-page-moved")
def page_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    # A move changes the URLs of the page and of its descendants, cases among them.
    if Page.objects.descendant_of(instance, inclusive=True).type(CaseStudyPage).live().exists():
        request_refresh()


@receiver(pre_delete, dispatch_uid="opendata-page-deleted")
def page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, CaseStudyPage) and instance.live:
        request_refresh()
