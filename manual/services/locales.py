"""Make the database follow MANUAL_LOCALES: Locale rows, locale trees, taxonomies, review.

Called after every ``migrate`` (post_migrate), by ``manage.py sync_locales`` and when gunicorn
starts, so adding a language is configuration only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import to_locale
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import create_aliases_for_new_page

from manual.models import ManualHomePage
from manual.services.review import MODERATORS, assign_review_workflow, ensure_review_workflow, ensure_roles
from manual.services.taxonomies import seed_taxonomies

logger = logging.getLogger(__name__)


@dataclass
class LocaleSyncReport:
    locales: list[str]
    locales_created: list[str] = field(default_factory=list)
    aliases_created: int = 0
    taxonomy_terms_created: int = 0
    workflow_pages_added: int = 0


def ensure_locales() -> list[str]:
    """Create a Locale row for every configured code; returns the codes created.

    Locales dropped from the setting are kept (their pages still exist); they are just no longer
    offered.
    """
    created = []
    for code in settings.MANUAL_LOCALES:
        _locale, was_created = Locale.objects.get_or_create(language_code=code)
        if was_created:
            created.append(code)
    return created


def ensure_locale_trees() -> int:
    """Give every configured locale the default locale's tree: real translations where they exist,
    wagtail-localize alias pages (source-language copies, not translations) for the rest.

    A locale's first ``LocaleSynchronization`` makes wagtail-localize copy the whole tree once; from
    then on, new pages get their aliases when they are created: from the admin by wagtail-localize's
    ``after_create_page`` hook, from code through ``create_locale_aliases``. So a start costs no walk
    over all pages.
    """
    default = Locale.get_default()
    before = Page.objects.count()
    for locale in Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES).exclude(pk=default.pk):
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": default})
    return Page.objects.count() - before


def create_locale_aliases(page: Page) -> None:
    """What wagtail-localize's admin hook does for a new page, for pages created by code."""
    create_aliases_for_new_page(page)


# The language the interface strings are written in (msgids); every other one needs a catalogue.
INTERFACE_SOURCE_LANGUAGE = "en"


def interface_language(code: str) -> str:
    """The language the reader's interface strings are shown in for a page in ``code``.

    A content locale needs no interface catalogue: without ``locale/<code>/LC_MESSAGES/django.mo``
    gettext answers the English msgids, and the reader then marks its interface ``lang="en"``
    with a notice instead of claiming it speaks ``code``. Only the service's own catalogues
    count: Django's would translate its form errors but not our labels.
    """
    if code.split("-")[0] == INTERFACE_SOURCE_LANGUAGE:
        return code
    for path in settings.LOCALE_PATHS:
        if (Path(path) / to_locale(code) / "LC_MESSAGES" / "django.mo").exists():
            return code
    return INTERFACE_SOURCE_LANGUAGE


def sync_locales() -> LocaleSyncReport:
    report = LocaleSyncReport(locales=list(settings.MANUAL_LOCALES))
    with transaction.atomic():
        report.locales_created = ensure_locales()
        report.taxonomy_terms_created = seed_taxonomies()
        groups = ensure_roles()
        workflow = ensure_review_workflow(groups[MODERATORS])
        report.aliases_created = ensure_locale_trees()
        homes = list(ManualHomePage.objects.all())
        report.workflow_pages_added = assign_review_workflow(workflow, homes)
    logger.info(
        "locales synchronised",
        extra={
            "locales": ",".join(report.locales),
            "locales_created": ",".join(report.locales_created),
            "aliases_created": report.aliases_created,
            "taxonomy_terms_created": report.taxonomy_terms_created,
            "workflow_pages_added": report.workflow_pages_added,
        },
    )
    return report
