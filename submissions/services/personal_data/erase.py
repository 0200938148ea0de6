"""Erase: every trace of a submitter's e-mail address, and the name and role tied to it.

``erase(email)`` removes the address (any letter case) from every place ``personal_data`` lists,
and the name and role tied to it from the contact fields and the attribution; the database part is
one transaction, the search engine is re-indexed after it. It is idempotent: a second run finds
nothing. ``erase_submission(submission)`` does the same for one submission only (``retention``):
its contact, payload and history, and its draft page when that page was never published. Both
delete the Wagtail images and documents made from a submission that was not published
(``services.media.discard_files``). ``find_traces`` tells where a text still occurs.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from modelsearch.index import insert_or_update_object
from wagtail.models import Comment, ModelLogEntry, Page, PageLogEntry, Revision, TaskState
from wagtail_localize.models import (
    OverridableSegment,
    SegmentOverride,
    String,
    StringTranslation,
    TranslationSource,
)

from manual.models import CaseStudyContact, CaseStudyPage
from opendata.services.dumps import request_refresh
from search.services import process_outbox, queue_update
from submissions.models import ImportedCase, Submission, SubmissionEvent, SubmissionStatus, SubmitterContact
from submissions.services import media
from submissions.services.personal_data import PERSONAL_PAYLOAD_KEYS, contacts_of

logger = logging.getLogger(__name__)

REMOVED = "[removed]"


@dataclass
class Scrubber:
    """Replaces an e-mail address (any case) in text and JSON, drops contacts holding it, and turns
    attributions naming the person into the organisation's name."""

    emails: list[str]
    personal_attributions: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        emails = [e.strip() for e in self.emails if e and e.strip()]
        self.pattern = re.compile("|".join(re.escape(e) for e in emails), re.IGNORECASE) if emails else None
        self.lowered = {e.lower() for e in emails}

    def text(self, value: str) -> str:
        if not value or self.pattern is None:
            return value
        return self.pattern.sub(REMOVED, value)

    def is_contact(self, item: Any) -> bool:
        return isinstance(item, dict) and str(item.get("email") or "").strip().lower() in self.lowered

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value if not self.is_contact(item)]
        if isinstance(value, dict):
            result = {key: self.json(item) for key, item in value.items()}
            if isinstance(result.get("attribution"), str) and result["attribution"] in self.personal_attributions:
                result["attribution"] = str(result.get("organisation") or "")[:255]
            return result
        return value

    def json_text(self, raw: str) -> str:
        try:
            return json.dumps(self.json(json.loads(raw)), ensure_ascii=False)
        except ValueError:
            return self.text(raw)


def attributions_of(contact: SubmitterContact) -> set[str]:
    """The attributions conversion makes for a person (services.convert._attribution)."""
    if not contact.name:
        return set()
    values = {contact.name[:255]}
    if contact.organisation:
        values.add(f"{contact.name} ({contact.organisation})"[:255])
    return values


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name != "path"
    ]


@dataclass
class EraseReport:
    counts: Counter = field(default_factory=Counter)
    reindexed: int = 0
    engine_error: str = ""

    def add(self, place: str, number: int = 1) -> None:
        if number:
            self.counts[place] += number

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        lines = [f"{place}: {number}" for place, number in sorted(self.counts.items())]
        if self.reindexed:
            lines.append(f"search documents re-indexed: {self.reindexed}")
        if self.engine_error:
            lines.append(f"search engine not reached (update queued): {self.engine_error}")
        return lines or ["nothing found"]


def _scrub_submission(submission: Submission, scrubber: Scrubber, report: EraseReport) -> None:
    payload = {k: v for k, v in submission.payload.items() if k not in PERSONAL_PAYLOAD_KEYS}
    payload = scrubber.json(payload)
    if payload != submission.payload:
        Submission.objects.filter(pk=submission.pk).update(payload=payload)
        report.add("submission payloads")


def _blank_contact(contact: SubmitterContact, report: EraseReport) -> None:
    if contact.email or contact.name or contact.role:
        SubmitterContact.objects.filter(pk=contact.pk).update(name="", email="", role="", consent_publish_contact=False)
        report.add("submitter contacts")


def _scrub_events(events, scrubber: Scrubber, report: EraseReport) -> None:
    for event in events:
        note, internal_note = scrubber.text(event.note), scrubber.text(event.internal_note)
        if (note, internal_note) != (event.note, event.internal_note):
            SubmissionEvent.objects.filter(pk=event.pk).update(note=note, internal_note=internal_note)
            report.add("submission events")


def _scrub_page(page: Page, scrubber: Scrubber, report: EraseReport) -> None:
    """The page row, its contacts and all its revisions."""
    specific = page.specific_class
    contacts = CaseStudyContact.objects.filter(page_id=page.pk)
    condition = Q()
    for email in scrubber.lowered:
        condition |= Q(email__iexact=email)
    if condition:
        deleted, _ = contacts.filter(condition).delete()
        report.add("published contacts", deleted)
    for contact in contacts:
        changes = {}
        for name in ("name", "role", "organisation", "url"):
            value = getattr(contact, name)
            if scrubber.text(value) != value:
                changes[name] = scrubber.text(value)
        if changes:
            CaseStudyContact.objects.filter(pk=contact.pk).update(**changes)
            report.add("published contacts")
    if specific is not None:
        row = specific.objects.get(pk=page.pk)
        changes = {}
        for name in _text_fields(specific):
            value = getattr(row, name)
            if isinstance(value, str) and scrubber.text(value) != value:
                changes[name] = scrubber.text(value)
        if getattr(row, "attribution", None) in scrubber.personal_attributions:
            changes["attribution"] = str(getattr(row, "organisation", "") or "")[:255]
        if changes:
            specific.objects.filter(pk=page.pk).update(**changes)
            report.add("pages")
    _scrub_revisions(Revision.page_revisions.filter(object_id=str(page.pk)), scrubber, report)


def _scrub_revisions(revisions, scrubber: Scrubber, report: EraseReport) -> None:
    for revision in revisions:
        content = scrubber.json(revision.content)
        if content != revision.content:
            Revision.objects.filter(pk=revision.pk).update(content=content)
            report.add("page revisions")


def _scrub_translations(scrubber: Scrubber, email: str, keys: set, report: EraseReport) -> None:
    """wagtail-localize: strings and translated strings holding the address or a personal attribution
    are deleted (with their segments); the frozen source content is scrubbed like a revision."""
    strings = String.objects.filter(Q(data__icontains=email) | Q(data__in=scrubber.personal_attributions))
    _deleted, per_model = strings.delete()
    report.add("translation strings", per_model.get("wagtail_localize.String", 0))
    report.add("translation segments", per_model.get("wagtail_localize.StringSegment", 0))
    report.add("string translations", per_model.get("wagtail_localize.StringTranslation", 0))
    _deleted, per_model = StringTranslation.objects.filter(data__icontains=email).delete()
    report.add("string translations", per_model.get("wagtail_localize.StringTranslation", 0))
    _deleted, per_model = OverridableSegment.objects.filter(data_json__icontains=email).delete()
    report.add("translation segments", per_model.get("wagtail_localize.OverridableSegment", 0))
    _deleted, per_model = SegmentOverride.objects.filter(data_json__icontains=email).delete()
    report.add("translation overrides", per_model.get("wagtail_localize.SegmentOverride", 0))
    for source in TranslationSource.objects.filter(Q(object_id__in=keys) | Q(content_json__icontains=email)):
        content = scrubber.json_text(source.content_json)
        if json.loads(content) != json.loads(source.content_json):
            TranslationSource.objects.filter(pk=source.pk).update(content_json=content)
            report.add("translation sources")


def _scrub_rest(scrubber: Scrubber, email: str, report: EraseReport) -> None:
    """Free texts staff may have written the address into: review comments, log entries, imports."""
    for state in TaskState.objects.filter(comment__icontains=email):
        TaskState.objects.filter(pk=state.pk).update(comment=scrubber.text(state.comment))
        report.add("review comments")
    for comment in Comment.objects.filter(text__icontains=email):
        Comment.objects.filter(pk=comment.pk).update(text=scrubber.text(comment.text))
        report.add("review comments")
    for model in (PageLogEntry, ModelLogEntry):
        for entry in model.objects.filter(Q(data__icontains=email) | Q(label__icontains=email)):
            model.objects.filter(pk=entry.pk).update(data=scrubber.json(entry.data), label=scrubber.text(entry.label))
            report.add("log entries")
    for item in ImportedCase.objects.filter(external_id__icontains=email):
        ImportedCase.objects.filter(pk=item.pk).update(external_id=f"{scrubber.text(item.external_id)}-{item.pk}")
        report.add("imported cases")


def _pages_in_scope(page_ids: set[int]) -> tuple[list[Page], set]:
    """The pages and every page sharing their translation key (translations, aliases)."""
    keys = set(Page.objects.filter(pk__in=page_ids).values_list("translation_key", flat=True))
    pages = list(Page.objects.filter(Q(pk__in=page_ids) | Q(translation_key__in=keys)).order_by("path"))
    return pages, keys


def erase(email: str) -> EraseReport:
    """Remove every trace of ``email`` (any letter case) and the name and role tied to it."""
    email = email.strip()
    if not email:
        raise ValueError("an e-mail address is required")
    report = EraseReport()
    with transaction.atomic():
        contacts = list(contacts_of(email))
        submissions = {contact.submission_id: contact.submission for contact in contacts}
        for submission in Submission.objects.filter(payload__icontains=email):
            submissions.setdefault(submission.pk, submission)
        published = list(CaseStudyContact.objects.filter(email__iexact=email))
        personal: set[str] = set()
        for person in [*contacts, *published]:
            personal |= attributions_of(person)
        # Translations of a personal attribution are personal too.
        personal |= set(
            StringTranslation.objects.filter(translation_of__in=String.objects.filter(data__in=personal)).values_list(
                "data", flat=True
            )
        )
        scrubber = Scrubber([email], personal)

        page_ids = {submission.page_id for submission in submissions.values() if submission.page_id}
        page_ids |= {item.page_id for item in published}
        page_ids |= {
            int(object_id)
            for object_id in Revision.page_revisions.filter(content__icontains=email).values_list(
                "object_id", flat=True
            )
        }
        text_match = Q()
        for name in _text_fields(CaseStudyPage):
            text_match |= Q(**{f"{name}__icontains": email})
        page_ids |= set(CaseStudyPage.objects.filter(text_match).values_list("pk", flat=True))
        pages, keys = _pages_in_scope(page_ids)
        for page in pages:
            _scrub_page(page, scrubber, report)
        # Revisions of anything else (snippets) holding the address.
        _scrub_revisions(Revision.objects.filter(content__icontains=email), scrubber, report)

        for submission in submissions.values():
            _scrub_submission(submission, scrubber, report)
            _discard_unpublished_files(submission, report)
        _scrub_events(
            SubmissionEvent.objects.filter(Q(note__icontains=email) | Q(internal_note__icontains=email)),
            scrubber,
            report,
        )
        for contact in contacts:
            _blank_contact(contact, report)
        _scrub_translations(scrubber, email, keys, report)
        _scrub_rest(scrubber, email, report)
        _queue_search_updates(keys)
    _reindex([page.pk for page in pages], report)
    logger.info("personal data erased", extra={"counts": dict(report.counts)})
    return report


def erase_submission(submission: Submission) -> EraseReport:
    """Erase the personal data of one submission (``purge_submissions``): its contact, payload and
    history; its draft page, translations and revisions when the page was never published, else
    only the revision the submission made. Other submissions of the same person are left alone."""
    report = EraseReport()
    with transaction.atomic():
        submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        contact = SubmitterContact.objects.filter(submission=submission).first()
        emails = [contact.email] if contact and contact.email else []
        scrubber = Scrubber(emails, attributions_of(contact) if contact else set())
        pages: list[Page] = []
        if contact is not None and emails:
            page = Page.objects.filter(pk=submission.page_id).first() if submission.page_id else None
            if page is not None and page.first_published_at is None and not page.live:
                pages, _keys = _pages_in_scope({page.pk})
                for item in pages:
                    _scrub_page(item, scrubber, report)
            elif submission.revision_id:
                _scrub_revisions(Revision.objects.filter(pk=submission.revision_id), scrubber, report)
            _scrub_submission(submission, scrubber, report)
            _scrub_events(submission.events.all(), scrubber, report)
            _blank_contact(contact, report)
        _discard_unpublished_files(submission, report)
    _reindex([page.pk for page in pages], report, search=False)
    return report


def _discard_unpublished_files(submission: Submission, report: EraseReport) -> None:
    # What the person sent and nobody published goes with their data: the images and documents
    # made from it and the files as sent (files and renditions are deleted after the commit). A
    # published case keeps its files: they are the case's licensed material, not contact data.
    if submission.status != SubmissionStatus.PUBLISHED:
        report.add("unpublished images and documents deleted", media.discard_files(submission))
        report.add("files as sent deleted", media.discard_originals(submission))


def is_erased(contact: SubmitterContact | None) -> bool:
    return contact is not None and not contact.email


def _queue_search_updates(keys: set) -> None:
    live = set(Page.objects.filter(translation_key__in=keys, live=True).values_list("translation_key", flat=True))
    for key in live:
        queue_update(key)
    if live:
        request_refresh()  # the open-data dumps hold the attribution of the live pages too


def _reindex(page_ids: list[int], report: EraseReport, search: bool = True) -> None:
    """After the commit: the manual's search (database rows and engine) and Wagtail's admin search."""
    if search:
        outcome = process_outbox()
        report.reindexed = outcome.documents
        if outcome.errors:
            report.engine_error = outcome.errors[0]
    for page in Page.objects.filter(pk__in=page_ids).specific():
        insert_or_update_object(page)


def find_traces(text: str) -> dict[str, int]:
    """Where ``text`` still occurs (any case) in the database: ``{"app.Model.field": rows}``."""
    found: dict[str, int] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, (models.CharField, models.TextField, models.JSONField)):
                count = model._base_manager.filter(**{f"{model_field.name}__icontains": text}).count()
                if count:
                    found[f"{model._meta.label}.{model_field.name}"] = count
    return found
