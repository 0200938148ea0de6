"""What a published change makes stale in the HTTP cache (docs/operations.md "HTTP cache").

Called by the signal handlers (``manual.signals``) when a page is published, unpublished or
moved, and when a taxonomy term is saved or deleted; ``core.frontend_cache`` sends the purges after
the transaction commits. Nothing is computed when no cache is configured (``FRONTEND_CACHE_URL``).

A page is shown on its own URL in every locale (its translations; a stand-in or alias shows the
source), in the lists of its ancestors (section children, the case index, the home's latest
cases), on the pages that point at it (related cases, case references in a section's body: Wagtail's
reference index), in the reader's search, the sitemap and the API. A chapter or a home page is in
the navigation of every page of its locale, and a term's label on every case and list of its
locale: those bans empty the locale's part of the cache (the bound: one miss per cached page of
that locale afterwards; label edits and chapter renames are rare).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField
from django.db.models.functions import Cast
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, ReferenceIndex

from core import frontend_cache
from manual.models import ManualHomePage, ManualSectionPage, Taxonomy

# Paths whose every answer may list any page: the sitemap (its index and any per-locale part,
# /sitemap.xml and /sitemap-*.xml) and the API (lists, details, facets, pages/find).
SHARED_PREFIXES = ("/sitemap", "/api/v1/")
STEPLEN = Page.steplen


def _ancestor_paths(path: str) -> list[str]:
    """Tree paths of a page's ancestors below Wagtail's root (depth 2 and deeper)."""
    return [path[:end] for end in range(2 * STEPLEN, len(path), STEPLEN)]


def _locale_prefixes(pages: Iterable[Page]) -> set[str]:
    return {f"/{page.locale.language_code}/" for page in pages}


def page_invalidations(page: Page) -> tuple[set[str], set[str]]:
    """The full URLs to purge and the path prefixes to ban after ``page`` changed.

    A constant number of queries whatever the size of the tree: translations, their ancestors and
    the pages that refer to any of them.
    """
    translations = list(Page.objects.filter(translation_key=page.translation_key).select_related("locale"))
    if not any(other.pk == page.pk for other in translations):
        translations.append(page)
    ids = [str(other.pk) for other in translations]
    referring = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Page), to_object_id__in=ids
    ).filter(base_content_type=ContentType.objects.get_for_model(Page))
    # ReferenceIndex keeps object ids as text (any model's key); these are pages', so numbers.
    referring_ids = referring.annotate(page_id=Cast("object_id", IntegerField())).values("page_id").distinct()
    referring_keys = Page.objects.filter(pk__in=referring_ids).values("translation_key")
    ancestor_paths = {path for other in translations for path in _ancestor_paths(other.path)}
    shown = Page.objects.filter(path__in=ancestor_paths) | Page.objects.filter(translation_key__in=referring_keys)

    batch = PurgeBatch()
    batch.add_pages(translations)
    batch.add_pages(shown)
    prefixes = set(SHARED_PREFIXES)
    for other in translations:
        prefixes.add(f"/{other.locale.language_code}/search/")
    if page.specific_class is ManualHomePage or (page.specific_class is ManualSectionPage and page.depth <= 3):
        # In the navigation of every page of the locale (manual.services.read_model.chapters).
        prefixes |= _locale_prefixes(translations)
    return batch.urls, prefixes


def page_changed(page: Page) -> None:
    """A page was published, unpublished (or deleted): purge what shows it, after commit."""
    if not frontend_cache.enabled():
        return
    urls, prefixes = page_invalidations(page)
    frontend_cache.invalidate_on_commit(urls, prefixes)


def page_moved(page: Page) -> None:
    """A moved page leaves its old URL, and those of its subtree, in every locale it has: ban them all."""
    if not frontend_cache.enabled():
        return
    urls, prefixes = page_invalidations(page)
    translations = Page.objects.filter(translation_key=page.translation_key).select_related("locale")
    frontend_cache.invalidate_on_commit(urls, prefixes | _locale_prefixes(translations))


def term_changed(term: Taxonomy) -> None:
    """A term's label is on every case and list of its locale, and in the API's facets."""
    if not frontend_cache.enabled():
        return
    frontend_cache.invalidate_on_commit([], {f"/{term.locale.language_code}/", *SHARED_PREFIXES})
