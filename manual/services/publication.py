"""What of the manual is public: live pages that are content in their own language.

One definition for every public surface (reader, API, search documents, sitemap alternates,
hreflang): a page is public content when it is live, is not a wagtail-localize alias (a copy of
its source that stands in for a missing translation) and is not ``AwaitingTranslation`` (a
converted alias whose text is not yet a reviewed translation, see ``manual.models``).

Stand-ins come into being when a live alias is converted (``mark_converted_alias``, run for every
"wagtail.convert_alias" log entry, which Wagtail and wagtail-localize write on every path) and stop
being stand-ins when a revision of them is published (``translation_published``).
"""

from __future__ import annotations

from typing import Any

from wagtail.models import Locale, Page
from wagtail.query import PageQuerySet
from wagtail_localize.models import Translation

from manual.models import AwaitingTranslation


def public_pages(model: type[Page] = Page) -> PageQuerySet:
    """Live pages that are content in their own language (neither aliases nor stand-ins)."""
    return model.objects.live().filter(alias_of__isnull=True, awaiting_translation__isnull=True)


def is_public_content(page: Page) -> bool:
    return bool(page.live and page.alias_of_id is None and not is_awaiting_translation(page))


def is_awaiting_translation(page: Page) -> bool:
    if not page.pk:
        return False
    known = page.__dict__.get("routed_awaiting_translation")  # read with the page (routing.route_below)
    if known is not None:
        return bool(known)
    return AwaitingTranslation.objects.filter(page_id=page.pk).exists()


def source_language_page(page: Page) -> Page | None:
    """The live page whose text a stand-in shows: its translation source, else the default locale's."""
    translation = (
        Translation.objects.filter(source__object_id=page.translation_key, target_locale_id=page.locale_id)
        .select_related("source")
        .order_by("-enabled")
        .first()
    )
    locale_id = translation.source.locale_id if translation is not None else Locale.get_default().pk
    return (
        public_pages(Page)
        .filter(translation_key=page.translation_key, locale_id=locale_id)
        .exclude(pk=page.pk)
        .select_related("locale")
        .first()
    )


def mark_converted_alias(page: Page) -> bool:
    """Record that ``page``, an alias just converted into a regular page, still shows source text.

    Only translation aliases count (another locale has a page with the same translation key); a
    same-locale alias converted into a copy is content of its own. Returns whether it was marked.
    """
    if not page.live:
        return False
    has_source = Page.objects.filter(translation_key=page.translation_key).exclude(locale_id=page.locale_id).exists()
    if not has_source:
        return False
    AwaitingTranslation.objects.get_or_create(page_id=page.pk)
    return True


def translation_published(page: Page) -> None:
    """A revision of ``page`` went live: it is content of its own from now on."""
    AwaitingTranslation.objects.filter(page_id=page.pk).delete()


def convert_alias_logged(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of ``PageLogEntry``: the one record every alias conversion leaves."""
    if not created or instance.action != "wagtail.convert_alias":
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        mark_converted_alias(page)
