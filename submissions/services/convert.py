"""Convert a stored submission into a draft case study in review: one idempotent service.

``convert_submission`` runs as a django-tasks task (``convert_submission_task``, queued by intake
and resubmission once the submission is committed), and may be run again by an editor: a submission
that is no longer ``received`` is left as it is, so converting twice gives one page. A submission
resubmitted after a request for changes is ``received`` again with its page kept: it becomes a new
revision of that same draft, and the workflow waiting for changes resumes
(``services.review.start_review``). All of it happens in one transaction, the submission row
locked; a failure leaves the submission ``received`` and no page.

A new case becomes a draft ``CaseStudyPage`` under the ``CaseStudyIndexPage`` of the submission's
locale. An ``updates_case`` submission becomes a new draft revision of that (published) page
instead; the live version stays online until a moderator approves. Either way:

- taxonomies link the *default locale's* terms by code (docs/architecture.md "Decision");
- metrics and links become the page's inline children; the submitter appears as a public contact
  only with ``consent.publish_contact``, and otherwise the case is attributed to its organisation;
- every image attachment becomes a Wagtail image (the hero one the page's hero image, the others
  ready for editors to place) and every other file (PDF, Word, OpenDocument) a Wagtail document
  listed among the case's documents; they are *unpublished* until the case is published: in the
  private "Submissions in review" collection, their files outside MEDIA_ROOT (``services.media``);
- the page's revision enters the "Editorial review" workflow (``services.review``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django_tasks import task
from PIL import Image, UnidentifiedImageError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import create_aliases_for_new_page

from core.clusters import created_with_children_known
from core.task_priorities import TaskPriority
from manual.case_facts import CASE_FACTS
from manual.models import (
    BODY_SECTIONS,
    CaseStudyContact,
    CaseStudyDocument,
    CaseStudyIndexPage,
    CaseStudyLink,
    CaseStudyMetric,
    CaseStudyPage,
)
from manual.taxonomy_registry import TaxonomyKind, taxonomy_kinds
from submissions.models import (
    AttachmentRole,
    FileKind,
    Submission,
    SubmissionAttachment,
    SubmissionStatus,
    SubmitterContact,
)
from submissions.services.files import FileProblem, clean_image
from submissions.services.media import in_review_collection, unpublished_name
from submissions.services.review import start_review
from submissions.services.sandbox import LimitExceeded, run_limited
from submissions.services.status import transition

logger = logging.getLogger(__name__)

CONVERT_LOG_ACTION = "submissions.convert"


class ConversionError(Exception):
    """The submission cannot become a page now; it stays ``received`` and can be converted later."""


def convert_submission(submission: Submission, *, actor: Any = None) -> CaseStudyPage | None:
    """Make the submission's draft (or draft revision) and put it in review; returns the page."""
    written: list[Any] = []  # files of Wagtail images, removed again if the transaction fails
    # Before the transaction: decoding images takes seconds and must not hold the row lock.
    set_aside = clean_images(submission) if submission.status == SubmissionStatus.RECEIVED else []
    try:
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=submission.pk)
            if submission.status != SubmissionStatus.RECEIVED:
                return submission.page
            locale = Locale.objects.get(language_code=submission.locale)
            contact = SubmitterContact.objects.get(submission=submission)
            resubmitted = submission.page_id is not None  # corrected after a request for changes
            if submission.updates_case_id:
                page = _draft_update(submission, locale, contact, written)
            elif resubmitted:
                page = _draft_again(submission, locale, contact, written)
            else:
                page = new_draft(submission, locale, contact, written)
            revision = page.save_revision(user=_user(actor), log_action=True)
            log(page, CONVERT_LOG_ACTION, user=_user(actor), revision=revision, data={"submission": str(submission.pk)})
            submission.page = page
            submission.revision = revision
            submission.save(update_fields=["page", "revision", "updated_at"])
            transition(
                submission,
                SubmissionStatus.CONVERTED,
                actor=actor,
                note="Draft revision of the case made."
                if submission.updates_case_id or resubmitted
                else "Draft case made.",
                internal_note=" ".join(set_aside),
            )
            start_review(submission, page, actor)
            if not submission.updates_case_id and not resubmitted:
                alias_in_synchronised_locales(page)
    except BaseException:
        for file in written:
            with contextlib.suppress(OSError):
                file.storage.delete(file.name)
        raise
    logger.info("submission converted", extra={"submission": str(submission.pk), "page": page.pk})
    return page


@task(priority=TaskPriority.PERSON_WAITING)
def convert_submission_task(submission_id: str) -> int | None:
    """Convert one submission; returns the page id. Arguments are JSON: the submission's id as text."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        logger.warning("submission to convert not found", extra={"submission": submission_id})
        return None
    try:
        page = convert_submission(submission)
    except ConversionError as exc:
        # Expected now and then (the case to update is in review already...): the submission stays
        # ``received`` and an editor converts it later.
        logger.warning("submission not converted", extra={"submission": submission_id, "reason": str(exc)})
        return None
    except Exception:
        # The immediate backend only records failures on its result; say it where operators look.
        logger.exception("submission conversion failed", extra={"submission": submission_id})
        raise
    return page.pk if page else None


def clean_images(submission: Submission) -> list[str]:
    """Re-encode the submission's images still stored as sent (``services.files.clean_image``).

    Each runs in a child process within its time and memory budget; the stored bytes are replaced
    by the re-encoded ones (no EXIF, no GPS). An image that cannot be decoded within the budget is
    removed and the returned notes say so (for staff: the submitter's other files still count).
    """
    notes = []
    for attachment in SubmissionAttachment.objects.filter(submission=submission, cleaned=False).order_by("position"):
        try:
            content, width, height = clean_image_limited(FileKind(attachment.kind), _content(attachment))
        except FileProblem as problem:
            logger.warning(
                "submission image set aside",
                extra={"submission": str(submission.pk), "position": attachment.position, "code": problem.code},
            )
            notes.append(f"Attachment {attachment.position} ({attachment.original_name}) set aside: {problem.message}")
            attachment.file.delete(save=False)
            attachment.delete()
            continue
        sent = attachment.stored_name
        attachment.file.save(sent.rsplit("/", 1)[-1], ContentFile(content), save=False)
        attachment.size, attachment.sha256 = len(content), hashlib.sha256(content).hexdigest()
        attachment.width, attachment.height, attachment.cleaned = width, height, True
        attachment.save(update_fields=["file", "size", "sha256", "width", "height", "cleaned"])
        attachment.file.storage.delete(sent)  # the bytes as sent, EXIF and all, are gone
    return notes


def clean_image_limited(kind: FileKind, content: bytes) -> tuple[bytes, int, int]:
    """``clean_image`` within ``SUBMISSIONS_IMAGE_CPU_SECONDS`` and ``SUBMISSIONS_IMAGE_MEMORY_BYTES``.

    The decoded size is known from the header (Pillow keeps 4 bytes a pixel for RGB(A), 1 for L):
    an image whose pixels alone exceed the memory budget is refused before any decoding. The
    child's RLIMIT_AS stays as the backstop for what the header cannot tell, but it cannot bound
    heap the forked worker has already mapped and freed, so it is not the budget's first line.
    """
    decoded = decoded_bytes(content)
    if decoded > settings.SUBMISSIONS_IMAGE_MEMORY_BYTES:
        raise LimitExceeded(
            f"Decoding the image needs {decoded / 2**20:.0f} MB of memory; "
            f"the budget is {settings.SUBMISSIONS_IMAGE_MEMORY_BYTES / 2**20:.0f} MB."
        )
    return run_limited(
        clean_image,
        kind,
        content,
        settings.SUBMISSIONS_MAX_IMAGE_PIXELS,
        cpu_seconds=settings.SUBMISSIONS_IMAGE_CPU_SECONDS,
        memory_bytes=settings.SUBMISSIONS_IMAGE_MEMORY_BYTES,
        wall_seconds=settings.SUBMISSIONS_IMAGE_CPU_SECONDS * 3,
    )


def decoded_bytes(content: bytes) -> int:
    """Bytes Pillow needs for the decoded pixels, read from the header alone (0 if unreadable)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            per_pixel = 1 if image.mode in {"1", "L", "P"} else 4
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return 0  # the decoder in the sandbox reports what is wrong with it
    return width * height * per_pixel


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def new_draft(submission: Submission, locale: Locale, contact: SubmitterContact, written: list) -> CaseStudyPage:
    indexes = CaseStudyIndexPage.objects.filter(locale=locale).order_by("path")
    # The locale's own index; a synchronised locale may only have an alias of the default one.
    index = indexes.filter(alias_of__isnull=True).first() or indexes.first()
    if index is None:
        raise ConversionError(f"no case study index in locale {locale.language_code!r}")
    payload = submission.payload
    page = CaseStudyPage(locale=locale, slug=unique_slug(index, payload["title"]), live=False)
    # Wagtail asks on every save whether a Site's root shares the page's translation_key (a query;
    # PageQuerySet.annotate_site_root_state sets the same attribute): a new page's key is new.
    page._is_site_root = False
    fill_page(page, submission, locale, contact, written, contacts=[])
    with created_with_children_known(page):  # its first revision serialises them without reading back
        index.add_child(instance=page)
    return page


def _draft_again(submission: Submission, locale: Locale, contact: SubmitterContact, written: list) -> CaseStudyPage:
    """A resubmitted submission: a new revision of the same draft, from its corrected payload."""
    page = CaseStudyPage.objects.filter(pk=submission.page_id).first()
    if page is None:
        raise ConversionError(f"the draft page {submission.page_id} of this submission is gone")
    _check_free(page, "page")
    draft = page.get_latest_revision_as_object()
    fill_page(draft, submission, locale, contact, written, contacts=[])
    return draft


def _draft_update(submission: Submission, locale: Locale, contact: SubmitterContact, written: list) -> CaseStudyPage:
    case = CaseStudyPage.objects.filter(pk=submission.updates_case_id, live=True, alias_of__isnull=True).first()
    if case is None:
        raise ConversionError(f"case {submission.updates_case_id} is no longer published")
    _check_free(case, "case")
    # The latest revision, so an editor's unpublished changes are kept under the submitter's.
    page = case.get_latest_revision_as_object()
    fill_page(page, submission, locale, contact, written, contacts=list(page.contacts.all()))
    return page


def _check_free(page: CaseStudyPage, what: str) -> None:
    """A page in review or locked by an editor takes no new revision: convert again later."""
    if page.workflow_in_progress:
        raise ConversionError(f"{what} {page.pk} is already in review; convert again once that review is done")
    if page.locked:
        raise ConversionError(f"{what} {page.pk} is locked by an editor")


def fill_page(
    page: CaseStudyPage,
    submission: Submission,
    locale: Locale,
    contact: SubmitterContact,
    written: list,
    contacts: list[CaseStudyContact],
) -> None:
    """Every field of the case from the submission's payload."""
    data = submission.payload
    page.title = data["title"]
    page.summary = data["summary"]
    page.organisation = data["organisation"]
    page.city = data.get("city") or ""
    page.region = data.get("region") or ""
    page.country = data["country"]
    coordinates = data.get("coordinates")
    page.latitude = _decimal(coordinates["lat"], 6) if coordinates else None
    page.longitude = _decimal(coordinates["lon"], 6) if coordinates else None
    page.population = data.get("population")

    for kind in taxonomy_kinds():
        terms = _terms(kind, data[kind.field] if kind.many else [data[kind.field]])
        setattr(page, kind.field, terms if kind.many else terms[0])

    page.start_year = data["start_year"]
    page.end_year = data.get("end_year")
    page.initiative_status = data["initiative_status"]
    for fact in CASE_FACTS:  # optional: absent from documents sent before they were asked for
        setattr(page, fact.name, fact.stored(data.get(fact.name)))
    for name in BODY_SECTIONS:
        setattr(page, name, data["body"].get(name) or "")

    page.metrics = [
        CaseStudyMetric(
            locale=locale,
            label=item["label"],
            value=Decimal(str(item["value"])),
            unit=item.get("unit") or "",
            sort_order=order,
        )
        for order, item in enumerate(data.get("metrics") or [])
    ]
    page.links = [
        CaseStudyLink(locale=locale, title=item["title"], url=item["url"], sort_order=order)
        for order, item in enumerate(data.get("links") or [])
    ]
    if contact.consent_publish_contact and not any(c.email == contact.email for c in contacts):
        contacts.append(
            CaseStudyContact(
                name=contact.name, role=contact.role, organisation=contact.organisation, email=contact.email
            )
        )
    page.contacts = [_reorder(item, order) for order, item in enumerate(contacts)]

    page.licence = contact.licence
    page.attribution = _attribution(data, contact)
    hero = data.get("hero_attachment")
    attachments = list(SubmissionAttachment.objects.filter(submission=submission, role=AttachmentRole.ATTACHMENT))
    documents = list(page.documents.all())
    for attachment in attachments:
        if attachment.is_image:
            image = _wagtail_image(attachment, data["title"], written)
            if attachment.position == hero:
                page.hero_image = image
        else:
            document = _wagtail_document(attachment, written)
            if not any(item.document_id == document.pk for item in documents):
                documents.append(CaseStudyDocument(document=document))
    page.documents = [_reorder(item, order) for order, item in enumerate(documents)]


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _reorder(child: Any, order: int) -> Any:
    child.sort_order = order
    return child


# The default-locale terms of each taxonomy by code, read once for many cases (``terms_read_once``).
_read_terms: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar("read_terms", default=None)


@contextlib.contextmanager
def terms_read_once() -> Iterator[None]:
    """Inside: each taxonomy's terms are read once, not once a case (an import converts thousands).

    A code added meanwhile is still found (read when missing); a term changed meanwhile keeps its
    link, which is all a case stores of it (labels are looked up by code and locale); a term deleted
    meanwhile fails the case that links it (the database refuses the link; its transaction rolls back).
    """
    token = _read_terms.set({})
    try:
        yield
    finally:
        _read_terms.reset(token)


def _terms(kind: TaxonomyKind, codes: list[str]) -> list[Any]:
    """Default-locale terms in the order of ``codes``; validation made sure they exist."""
    read = _read_terms.get()
    if read is None:
        by_code = {term.code: term for term in kind.default_terms().filter(code__in=codes)}
    else:
        by_code = read.setdefault(kind.key, {})
        if not by_code.keys() >= set(codes):
            by_code.update((term.code, term) for term in kind.default_terms())
    missing = [code for code in codes if code not in by_code]
    if missing:
        raise ConversionError(f"{kind.key} code(s) no longer exist: {', '.join(missing)}")
    return [by_code[code] for code in codes]


def _attribution(data: dict[str, Any], contact: SubmitterContact) -> str:
    # A person is named only with their consent; otherwise the organisation is credited.
    if contact.consent_publish_contact:
        who = f"{contact.name} ({contact.organisation})" if contact.organisation else contact.name
    else:
        who = data["organisation"]
    return who[:255]


def unique_slug(parent: Page, title: str) -> str:
    """A slug from the title (transliterated: Cyrillic titles too), unique among the parent's children."""
    return available_slug(parent, slugify(anyascii(title))[:80].strip("-") or "case")


SLUG_CANDIDATES = 20  # slugs asked for at once: ``base``, ``base-2``, ... ``base-20``


def available_slug(parent: Page, base: str) -> str:
    """``base``, else the first of ``base-2``, ``base-3``... that none of ``parent``'s children has.

    Asked by exact slugs (the slug's index) rather than by prefix: SQLite cannot answer ``LIKE``
    from an index, and scanning a parent's 10,000 children cost 2 to 5 ms a case in an import
    (docs/performance.md "Imports"), as Wagtail's ``find_available_slug`` does.
    """
    number = 1
    while True:
        candidates = [base if n == 1 else f"{base}-{n}" for n in range(number, number + SLUG_CANDIDATES)]
        taken = {
            slug
            for slug, path, depth in Page.objects.filter(slug__in=candidates).values_list("slug", "path", "depth")
            if depth == parent.depth + 1 and path.startswith(parent.path)
        }
        free = next((slug for slug in candidates if slug not in taken), None)
        if free is not None:
            return free
        number += SLUG_CANDIDATES


def _wagtail_image(attachment: SubmissionAttachment, title: str, written: list) -> Any:
    """An image attachment as a Wagtail image (its stored bytes: already re-encoded, without EXIF)."""
    if attachment.image_id:
        return attachment.image
    image = get_image_model()(title=title[:255], collection=in_review_collection())
    image.file.save(unpublished_name(attachment), ContentFile(_content(attachment)), save=False)
    written.append(image.file)
    # Known from the checks at intake (saving by name does not make Django read the dimensions).
    image.width, image.height = attachment.width, attachment.height
    image._set_image_file_metadata()
    image.save()
    attachment.image = image
    attachment.save(update_fields=["image"])
    return image


def _wagtail_document(attachment: SubmissionAttachment, written: list) -> Any:
    """A PDF, Word or OpenDocument attachment as a Wagtail document, titled by its file name."""
    if attachment.document_id:
        return attachment.document
    title = attachment.original_name or f"{attachment.get_kind_display()} {attachment.position + 1}"
    document = get_document_model()(title=title[:255], collection=in_review_collection())
    document.file.save(unpublished_name(attachment), ContentFile(_content(attachment)), save=False)
    written.append(document.file)
    document._set_document_file_metadata()
    document.save()
    attachment.document = document
    attachment.save(update_fields=["document"])
    return document


def _content(attachment: SubmissionAttachment) -> bytes:
    with attachment.file.open("rb") as source:
        return source.read()


def alias_in_synchronised_locales(page: CaseStudyPage, *, skip: Collection[str] = ()) -> None:
    """Give synchronised locales their alias of the new page, as the admin does on creating a page.

    wagtail-localize makes these aliases only from the admin (its ``after_create_page`` hook);
    without them the case would be missing from the other locales' trees (and their fallback
    lists) until the next ``sync_locales``. DESIGN.md "Known traps". Locales in ``skip`` (language
    codes) get none: an import whose file holds the page's translation in them makes that instead.
    """
    if not skip:
        create_aliases_for_new_page(page)
        return
    # wagtail-localize's ``create_aliases_for_new_page``, but for the locales not skipped.
    synchronised = LocaleSynchronization.objects.filter(sync_from_id=page.locale_id).values_list("locale_id")
    for locale in Locale.objects.filter(id__in=synchronised).exclude(language_code__in=list(skip)):
        create_aliases_for_new_page(page.copy_for_translation(locale, copy_parents=True, alias=True))


def locales_synchronised_from(language_codes: Collection[str]) -> set[str]:
    """Those of ``language_codes`` whose tree other locales follow (their pages are aliased on)."""
    return set(
        LocaleSynchronization.objects.filter(sync_from__language_code__in=list(language_codes)).values_list(
            "sync_from__language_code", flat=True
        )
    )
