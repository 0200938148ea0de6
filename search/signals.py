"""Thin signal handlers: each queues an index update of a searchable page (``search.services``)."""

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from search.documents import document_models, is_document_page
from search.services import queue_update


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    # Wagtail sends these signals with the specific page.
    if is_document_page(instance):
        queue_update(
            instance.translation_key, gone=[] if instance.live else [(instance.locale.language_code, instance.pk)]
        )


@receiver(post_page_move)
def page_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    # A move changes the URL of the page and of every descendant.
    for page in (
        Page.objects.descendant_of(instance, inclusive=True).type(*document_models()).filter(alias_of__isnull=True)
    ):
        queue_update(page.translation_key)


@receiver(pre_delete)
def page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page) and is_document_page(instance):
        queue_update(instance.translation_key, gone=[(instance.locale.language_code, instance.pk)])
