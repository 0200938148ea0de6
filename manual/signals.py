"""Signal handlers of the manual's content, connected by ``ManualConfig.ready`` once the models are loaded."""

from __future__ import annotations

from typing import Any

from django.db import connections, models, transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageLogEntry, PageViewRestriction, Site
from wagtail.signals import page_published as published
from wagtail.signals import page_unpublished, post_page_move
from wagtail_localize.models import Translation

from manual.models import AwaitingTranslation, CaseStudyPage, GlossaryConcept, GlossaryTerm
from manual.services import frontend_cache, sitemap
from manual.services.locales import sync_locales
from manual.services.publication import convert_alias_logged, translation_published
from manual.services.translations import (
    publish_reviewed_term_translations,
    source_published,
    submit_terms_for_translation,
)
from manual.taxonomy_registry import labels_changed, taxonomy_kinds
from search import services as search_services


def sync_locales_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Roles, review workflow, locales and seed taxonomies exist as soon as the schema does."""
    sync_locales()


def analyze_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite's query planner gets the statistics of the tables as they are (``ANALYZE``).

    Without them it guesses, and at 10,000 cases it picked the index of ``alias_of_id`` (one value
    for nearly every page) over the unique one of ``translation_key`` for the versions of a list's
    pages: 15 ms instead of 0.5 (docs/performance.md). PostgreSQL's autovacuum keeps its own.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def connect_taxonomy_cache() -> None:
    """Saving or deleting a taxonomy term drops the cached labels of every process of the install."""
    for kind in taxonomy_kinds():
        post_save.connect(labels_changed, sender=kind.model, dispatch_uid=f"labels-{kind.kind}-save")
        post_delete.connect(labels_changed, sender=kind.model, dispatch_uid=f"labels-{kind.kind}-delete")


def glossary_changed(sender: Any, **kwargs: Any) -> None:
    search_services.glossary_changed()


def connect_glossary() -> None:
    """A concept, one of its terms or a taxonomy term saved or deleted: search expands queries with
    the glossary as it is now from the next search on (manual.services.glossary)."""
    changing: list[type[models.Model]] = [GlossaryConcept, GlossaryTerm, *(kind.model for kind in taxonomy_kinds())]
    for model in changing:
        post_save.connect(glossary_changed, sender=model, dispatch_uid=f"glossary-{model.__name__}-save")
        post_delete.connect(glossary_changed, sender=model, dispatch_uid=f"glossary-{model.__name__}-delete")


def submit_terms_with_page(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A page submitted for translation anywhere (admin or code) takes its missing terms along."""
    if not created:
        return
    source = instance.source
    model = source.specific_content_type.model_class()
    if model is None or not issubclass(model, CaseStudyPage):
        return

    def submit() -> None:
        page = source.get_source_instance()
        submit_terms_for_translation(page, [instance.target_locale], user=None)

    transaction.on_commit(submit)


def connect_translation_submission() -> None:
    post_save.connect(submit_terms_with_page, sender=Translation, dispatch_uid="translation-submits-terms")


def page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A page went live: a stand-in becomes a translation; a source's translations learn what changed."""
    translation_published(instance)
    source_published(instance)
    publish_reviewed_term_translations(instance)


def connect_publication() -> None:
    # Connected before the search app's receivers (manual precedes search in INSTALLED_APPS), so
    # the index sees a published stand-in as the translation it has become.
    published.connect(page_published, dispatch_uid="manual-page-published")
    post_save.connect(convert_alias_logged, sender=PageLogEntry, dispatch_uid="manual-convert-alias")


def connect_sitemap() -> None:
    """Whatever changes which pages are public, or their URLs, makes the cached sitemap stale."""
    published.connect(sitemap.pages_changed, dispatch_uid="sitemap-published")
    page_unpublished.connect(sitemap.pages_changed, dispatch_uid="sitemap-unpublished")
    post_page_move.connect(sitemap.pages_changed, dispatch_uid="sitemap-moved")
    # Django sends post_delete for the Page row of every page type deleted.
    post_delete.connect(sitemap.pages_changed, sender=Page, dispatch_uid="sitemap-page-deleted")
    for model in (PageViewRestriction, Site, AwaitingTranslation):
        post_save.connect(sitemap.pages_changed, sender=model, dispatch_uid=f"sitemap-{model.__name__}-save")
        post_delete.connect(sitemap.pages_changed, sender=model, dispatch_uid=f"sitemap-{model.__name__}-delete")


def purge_published_page(sender: Any, instance: Any, **kwargs: Any) -> None:
    frontend_cache.page_changed(instance)


def purge_moved_page(sender: Any, instance: Any, **kwargs: Any) -> None:
    frontend_cache.page_moved(instance)


def purge_term(sender: Any, instance: Any, **kwargs: Any) -> None:
    frontend_cache.term_changed(instance)


def connect_frontend_cache() -> None:
    """The HTTP cache in front (docs/operations.md "HTTP cache") drops what a change made stale.

    Wagtail's own handlers (the app ``wagtail.contrib.frontend_cache``, not installed) would purge
    inside the publishing transaction and only the page's URL: these purge after commit and what
    the page appears in (``manual.services.frontend_cache``).
    """
    published.connect(purge_published_page, dispatch_uid="manual-frontend-cache-published")
    page_unpublished.connect(purge_published_page, dispatch_uid="manual-frontend-cache-unpublished")
    post_page_move.connect(purge_moved_page, dispatch_uid="manual-frontend-cache-moved")
    for kind in taxonomy_kinds():
        post_save.connect(purge_term, sender=kind.model, dispatch_uid=f"frontend-cache-{kind.kind}-save")
        post_delete.connect(purge_term, sender=kind.model, dispatch_uid=f"frontend-cache-{kind.kind}-delete")
