"""Translation workflow verbs on top of wagtail-localize (docs/translations.md).

Read like wagtail-localize's ``operations.py``: each function is one thing a person does.

- Editors ``submit_for_translation`` (wagtail-localize's TranslationCreator, as its admin view does).
- Translators fill strings in wagtail-localize's editor or a PO file; machine strings (DeepL, the
  local pseudo-translator) are recorded as such by wagtail-localize, and a human confirms them with
  ``mark_machine_strings_reviewed``.
- Translators ``submit_translation_for_review``: the translation becomes a draft revision of the
  target page and enters the page's workflow ("Editorial review"); a moderator's approval publishes.
- After the source changes and is synced (``TranslationSource.update_from_db``), ``outdated_strings``
  lists what must be translated again; the live translated page keeps its published text.

Traps handled here (DESIGN.md "Known traps"): ``save_target(publish=True)`` skips workflows, so it is
never used; wagtail-localize saves a draft of a *live* page into the page row itself (Wagtail's own
drafts live in revisions only), so the row is restored from the live revision after saving the draft;
a target converted from a live alias stays a marked stand-in that shows its source until a reviewed
translation is published (``manual.services.publication``, on every path that converts an alias).

Publishing a source page brings its translation sources up to date at once
(``source_published``): the changed strings are outdated in the status and the review page, and
readers of a live translation are told the original has changed, without anyone pressing "Sync".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from wagtail.models import Locale, Page, WorkflowState
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import TranslationCreator

from core.prepared import PreparedRead
from manual.models import CaseStudyPage, MachineStringReview
from manual.services.publication import is_awaiting_translation
from manual.taxonomy_registry import taxonomy_kinds


class TranslationRefused(Exception):
    """The action cannot be done in the translation's current state; ``message`` says why."""

    def __init__(self, code: str, message: str, count: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.count = count


# --- Reading a translation's strings ---------------------------------------------------------------


def _translations_of_segment(translation: Translation) -> QuerySet:
    return StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=translation.target_locale_id,
        has_error=False,
    )


def _segments(translation: Translation) -> QuerySet:
    return StringSegment.objects.filter(source_id=translation.source_id)


def _current_string_translations(translation: Translation) -> QuerySet:
    """The StringTranslations that the target currently uses (one per translated segment)."""
    segments = _segments(translation).filter(string_id=OuterRef("translation_of_id"), context_id=OuterRef("context_id"))
    return StringTranslation.objects.filter(locale_id=translation.target_locale_id, has_error=False).filter(
        Exists(segments)
    )


def missing_segments(translation: Translation) -> QuerySet:
    """Source segments with no usable translation in the target locale."""
    return _segments(translation).filter(~Exists(_translations_of_segment(translation)))


def valid_reviews() -> QuerySet:
    """Reviews that still hold for the outer StringTranslation: made after its last change."""
    return MachineStringReview.objects.filter(
        string_translation_id=OuterRef("pk"), reviewed_at__gte=OuterRef("updated_at")
    )


def unreviewed_machine_strings(translation: Translation) -> QuerySet:
    """Machine-translated strings in use whose current text no human has confirmed."""
    return (
        _current_string_translations(translation)
        .filter(translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE)
        .filter(~Exists(valid_reviews()))
    )


def outdated_strings(translation: Translation) -> QuerySet:
    """Source segments changed since the translation was last completed, with no current translation.

    A segment is outdated when its context (the field or block it comes from) had a translation of an
    earlier source text in the target locale, but its current text has none. Segments never translated
    at all are ``missing_segments``, not outdated. Call after ``TranslationSource.update_from_db()``
    and re-fetch the Translation (its source's segments are rebuilt).
    """
    earlier = StringTranslation.objects.filter(
        context_id=OuterRef("context_id"), locale_id=translation.target_locale_id
    ).exclude(translation_of_id=OuterRef("string_id"))
    return (
        _segments(translation)
        .filter(~Exists(_translations_of_segment(translation)), Exists(earlier))
        .select_related("string", "context")
        .order_by("order")
    )


# --- Editor: submit a page for translation ---------------------------------------------------------


def submit_for_translation(page: Page, locales: Iterable[Locale], user) -> list[Translation]:
    """What wagtail-localize's "Translate this page" does, for code and tests; editors only.

    Related snippets are submitted too (one level, as in the admin). New target pages are drafts;
    a target that was a live alias of the source stays live as a stand-in showing the source,
    marked as such, until a reviewed translation is published (see module docstring).
    """
    if not user.has_perm("wagtail_localize.submit_translation"):
        raise TranslationRefused("permission_denied", "Only editors can submit pages for translation.")
    page = page.specific
    locales = list(locales)
    with transaction.atomic():
        creator = TranslationCreator(user, locales)
        creator.create_translations(page)
        submit_terms_for_translation(page, locales, user)
    return list(
        Translation.objects.filter(source__object_id=page.translation_key, target_locale__in=locales).select_related(
            "source", "target_locale"
        )
    )


def terms_used_by(page: Page) -> list[Any]:
    """The taxonomy terms (default-locale rows) a case links, in every taxonomy."""
    return [term for kind in taxonomy_kinds() if hasattr(page, kind.field) for term in kind.terms_of(page)]


def submit_terms_for_translation(page: Page, locales: Iterable[Locale], user) -> list[Translation]:
    """Submit the taxonomy terms ``page`` uses that have no row yet in a target locale.

    Case pages link terms through synchronized fields (labels are looked up by code and locale),
    so wagtail-localize does not see them as related objects to submit along with the page. A
    term already present in a locale is left alone: submitting it again would overwrite its label
    with the source text until someone translates it anew.
    """
    created: list[Translation] = []
    for term in terms_used_by(page.specific):
        present = set(
            type(term).objects.filter(translation_key=term.translation_key).values_list("locale_id", flat=True)
        )
        missing = [locale for locale in locales if locale.pk not in present]
        if not missing:
            continue
        creator = TranslationCreator(user, missing)
        creator.create_translations(term, include_related_objects=False)
        for translations_of_source in creator.mappings.values():
            created.extend(translations_of_source)
    return created


def source_published(page: Page) -> int:
    """A page went live: bring the translation sources made from it up to date; returns how many.

    wagtail-localize re-extracts the segments only on "Sync translated pages". Doing it on publish
    makes the status, the review page and the reader's "original has changed" note true at once.
    The translated pages are not touched: they keep their published text until a translator
    updates the outdated strings and a moderator approves (``save_target`` is never called here).
    """
    sources = list(TranslationSource.objects.filter(object_id=page.translation_key, locale_id=page.locale_id))
    for source in sources:
        source.update_from_db()
    return len(sources)


def _translations_into(translation_key: uuid.UUID, locale_id: int) -> QuerySet:
    rows = Translation.objects.filter(source__object_id=translation_key, target_locale_id=locale_id, enabled=True)
    return rows.select_related("source").order_by("pk")[:1]


# Read by every translated reader page's chrome (``source_changed_since_translated``): its SQL is
# compiled once per process (core.prepared).
_translation_into = PreparedRead(_translations_into, uuid.UUID, int)


def translation_into(page: Page) -> Translation | None:
    """The synchronised translation whose target is ``page``; None for a source or a page no longer synced."""
    return next(iter(_translation_into(page.translation_key, page.locale_id)), None)


def source_changed_since_translated(page: Page) -> bool:
    """Whether the source of translated ``page`` has strings its translation lacks (outdated or new)."""
    translation = translation_into(page)
    return translation is not None and missing_segments(translation).exists()


def publish_reviewed_term_translations(page: Page) -> int:
    """Apply the finished translations of the terms a just-published translated case uses.

    Taxonomy terms are snippets without drafts: wagtail-localize's "Publish" of a term writes its
    label live at once. Translators' term translations therefore wait in translation memory
    (their "Publish" is refused, ``manual.admin_views.TaxonomyEditView``) and go live here, with
    the reviewed translation of a case that uses them: a moderator's approval, or an editor's
    publish. Only complete translations are applied; returns how many.
    """
    page = page.specific
    if not isinstance(page, CaseStudyPage):
        return 0
    # Most publications find no term translation waiting in their locale: one query says so before
    # the page's terms are read (five reads a case, in an import of thousands).
    waiting = Translation.objects.filter(
        target_locale_id=page.locale_id,
        enabled=True,
        source__specific_content_type__in=ContentType.objects.get_for_models(
            *(kind.model for kind in taxonomy_kinds())
        ).values(),
    )
    if not waiting.exists() or page.locale_id == Locale.get_default().pk:
        return 0
    keys = [term.translation_key for term in terms_used_by(page)]
    applied = 0
    pending = waiting.filter(source__object_id__in=keys).select_related("source", "target_locale")
    for translation in pending:
        if missing_segments(translation).exists() or unreviewed_machine_strings(translation).exists():
            continue
        translation.save_target(user=None, publish=True)
        applied += 1
    return applied


# --- Translator: machine strings, submit for review ------------------------------------------------


def mark_machine_strings_reviewed(translation: Translation, user) -> int:
    """Record that ``user`` checked every machine-translated string in use; returns how many."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for string_translation in unreviewed_machine_strings(translation):
            MachineStringReview.objects.update_or_create(
                string_translation=string_translation, defaults={"reviewed_by": user, "reviewed_at": now}
            )
            count += 1
    return count


def user_can_edit_target(user, translation: Translation) -> bool:
    try:
        target = translation.get_target_instance()
    except Page.DoesNotExist:
        return False
    return isinstance(target, Page) and target.permissions_for_user(user).can_edit()


def _restore_live_row(page: Page, live_revision_id: int | None, draft_revision) -> None:
    """Put the published content back into the page row, keeping the new draft as latest revision."""
    if not page.live or live_revision_id is None:
        return
    live = page.revisions.get(pk=live_revision_id).as_object()
    live.latest_revision = draft_revision
    live.draft_title = page.draft_title
    live.has_unpublished_changes = True
    live.save(clean=False)


def submit_translation_for_review(translation: Translation, user) -> WorkflowState:
    """Turn a finished translation into a draft revision of its target page in "Editorial review".

    Refused while strings are missing, while machine-translated strings are unreviewed, while the
    page is already in review, or when the page has no workflow. Never publishes: the moderator's
    approval does.
    """
    translation = Translation.objects.select_related("source", "target_locale").get(pk=translation.pk)
    if not translation.enabled:
        raise TranslationRefused("disabled", "This translation is no longer synchronised with its source.")
    if not issubclass(translation.source.specific_content_type.model_class(), Page):
        raise TranslationRefused("not_a_page", "Only page translations go through review.")
    missing = missing_segments(translation).count()
    if missing:
        raise TranslationRefused("missing_strings", f"{missing} string(s) are not translated yet.", missing)
    unreviewed = unreviewed_machine_strings(translation).count()
    if unreviewed:
        raise TranslationRefused(
            "unreviewed_machine_strings",
            f"{unreviewed} machine-translated string(s) must be marked reviewed first.",
            unreviewed,
        )
    with transaction.atomic():
        try:
            target = translation.get_target_instance()
        except Page.DoesNotExist:
            raise TranslationRefused("no_target", "The translated page does not exist; submit it again.") from None
        if target.workflow_in_progress:
            raise TranslationRefused("in_review", "This page is already in review.")
        workflow = target.get_workflow()
        if workflow is None:
            raise TranslationRefused("no_workflow", "This page has no review workflow.")
        # A stand-in's row is never shown (manual.services.publication), and its live_revision
        # is the one its alias copied from the source page: nothing of its own to restore.
        stand_in = is_awaiting_translation(target)
        live_revision_id = target.live_revision_id if target.live and not stand_in else None
        translation.save_target(user=user, publish=False)
        page = Page.objects.get(pk=target.pk).specific
        _restore_live_row(page, live_revision_id, page.latest_revision)
        page = Page.objects.get(pk=target.pk).specific
        return workflow.start(page, user)
