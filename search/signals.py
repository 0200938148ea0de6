"""Thin signal handlers: each queues an index update through search.services."""

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from search.documents import DOCUMENT_TYPES


def _indexable(page: Page) -> bool:
    # Wagtail sends these signals with the specific page.
    return isinstance(page, tuple(DOCUMENT_TYPES)) and page.alias_of_id is None


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    if _indexable(instance):
        from search.services import queue_update

        queue_update(
            instance.translation_key, gone=[] if instance.live else [(instance.locale.language_code, instance.pk)]
        )


@receiver(post_page_move)
def page_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    # A move changes the URL of the page and of every descendant.
    from search.services import queue_update

    for page in (
        Page.objects.descendant_of(instance, inclusive=True).type(*DOCUMENT_TYPES).filter(alias_of__isnull=True)
    ):
        queue_update(page.translation_key)


@receiver(pre_delete)
def page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page) and _indexable(instance):
        from search.services import queue_update

        queue_update(instance.translation_key, gone=[(instance.locale.language_code, instance.pk)])
