"""What a practitioner sends, as it was accepted: the submission, its files, its submitter, its history.

A ``Submission`` holds the validated case fields (``payload``) and nothing personal; the submitter's
name, e-mail and consent live in ``SubmitterContact`` so that they can be exported or erased on
their own (GDPR) and never reach a page without consent. Files live in a private storage outside
``MEDIA_ROOT`` (``submissions.storage``) until an editor publishes them. Every change of status is
a ``SubmissionEvent``: the audit log the status route and the admin read (the status route only
its note to the submitter, never the internal note).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from submissions.storage import private_storage


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CONVERTED = "converted", _("Converted into a draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SPAM = "spam", _("Spam")


# The only moves a submission may make. ``in_review -> changes_requested``: a moderator's "Request
# changes" in Wagtail's workflow (or ``services.review.request_changes``); ``changes_requested ->
# received``: the submitter edits and resubmits (the edit link), then conversion makes a new
# revision of the same draft; ``changes_requested -> in_review``: an editor fixes the draft and
# resubmits it in Wagtail instead; ``-> rejected``: the final refusal (``review.reject_submission``);
# ``rejected -> in_review``: a draft rejected before this model (workflow rejection = rejected) put
# back into review; ``converted -> published``: an editor's trusted import publishes its draft
# directly (``manage.py import_cases --publish``). ``published`` and ``spam`` are final.
ALLOWED_TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    SubmissionStatus.RECEIVED: frozenset(
        {SubmissionStatus.CONVERTED, SubmissionStatus.REJECTED, SubmissionStatus.SPAM}
    ),
    SubmissionStatus.CONVERTED: frozenset(
        {SubmissionStatus.IN_REVIEW, SubmissionStatus.REJECTED, SubmissionStatus.PUBLISHED, SubmissionStatus.SPAM}
    ),
    # Spam is often recognised only in review: the draft exists by then (conversion is immediate).
    SubmissionStatus.IN_REVIEW: frozenset(
        {
            SubmissionStatus.PUBLISHED,
            SubmissionStatus.REJECTED,
            SubmissionStatus.CHANGES_REQUESTED,
            SubmissionStatus.SPAM,
        }
    ),
    SubmissionStatus.REJECTED: frozenset(
        {SubmissionStatus.IN_REVIEW, SubmissionStatus.PUBLISHED, SubmissionStatus.SPAM}
    ),
    SubmissionStatus.CHANGES_REQUESTED: frozenset(
        {
            SubmissionStatus.RECEIVED,
            SubmissionStatus.IN_REVIEW,
            SubmissionStatus.REJECTED,
            SubmissionStatus.PUBLISHED,
            SubmissionStatus.SPAM,
        }
    ),
    SubmissionStatus.PUBLISHED: frozenset(),
    SubmissionStatus.SPAM: frozenset(),
}


class Submission(models.Model):
    """One case study (or an update of one) sent by a practitioner; see docs/submissions.md."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED, db_index=True
    )
    locale = models.CharField(max_length=16, help_text=_("Language code of the case (one of MANUAL_LOCALES)."))
    payload = models.JSONField(help_text=_("The validated case fields, HTML already sanitised; no personal data."))

    # HMAC of the client's address: enough to group abuse, useless to find the person.
    client_fingerprint = models.CharField(max_length=64, db_index=True)
    # SHA-256 of the Idempotency-Key header and of the request's content (see services.idempotency).
    idempotency_key_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    request_hash = models.CharField(max_length=64, editable=False)
    # SHA-256 of the secret token of the status URL; the token itself is never stored.
    status_token_hash = models.CharField(max_length=64, editable=False)
    # SHA-256 of the secret token of the edit link sent when a moderator requests changes, and the
    # end of its validity (SUBMISSIONS_EDIT_LINK_DAYS); the link works only while the status is
    # ``changes_requested`` (services.review.find_for_edit_token).
    edit_token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    edit_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    page = models.ForeignKey(
        "manual.CaseStudyPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text=_("The case study page this submission became (or updates)."),
    )
    updates_case = models.ForeignKey(
        "manual.CaseStudyPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The published case this submission proposes to update."),
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workflow_state = models.ForeignKey(
        "wagtailcore.WorkflowState", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.payload.get('title', '?')} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        return str(self.payload.get("title", ""))


class SubmissionEvent(models.Model):
    """One transition of a submission: from, to, who (a user, or nobody for the system), why.

    Two notes, because the history has two readers: ``note`` is written *to the submitter* (their
    status page, ``GET /api/v1/submissions/{id}``, the e-mails they get), ``internal_note`` is for
    staff only (the submissions admin) and never leaves it: a spam verdict or a reason written for
    colleagues must not reach the person it is about.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=SubmissionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(
        blank=True, help_text=_("Shown to the submitter: status page, status API, e-mails to the submitter.")
    )
    internal_note = models.TextField(
        blank=True, help_text=_("For staff only, in the submissions admin; never shown or sent to the submitter.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("submission event")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class AttachmentRole(models.TextChoices):
    ATTACHMENT = "attachment", _("Attachment")
    BODY_DOCX = "body_docx", _("Word document for the body")


class FileKind(models.TextChoices):
    """What a file is, judged by its content (magic bytes), never by its name."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"
    ODT = "odt", "OpenDocument text (ODT)"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
    WEBP = "webp", "WebP"


IMAGE_KINDS = frozenset({FileKind.PNG, FileKind.JPEG, FileKind.WEBP})


def attachment_path(instance: SubmissionAttachment, filename: str) -> str:
    # Never the client's name: <submission>/<attachment uuid>.<extension of the sniffed type>.
    return f"{instance.submission_id}/{filename}"


class SubmissionAttachment(models.Model):
    """A file sent with a submission, checked and (for images) re-encoded, stored privately."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(max_length=16, choices=AttachmentRole.choices, default=AttachmentRole.ATTACHMENT)
    position = models.PositiveSmallIntegerField(help_text=_("Index in the submission's attachments list."))
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text=_("Bytes stored (after re-encoding for images)."))
    sha256 = models.CharField(max_length=64, db_index=True)
    original_name = models.CharField(
        max_length=255, blank=True, help_text=_("The client's file name, for display only; never used as a path.")
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    cleaned = models.BooleanField(
        default=True,
        help_text=_(
            "False while an image is stored as sent: the conversion re-encodes it without metadata "
            "(services.files.clean_image), outside the request because decoding is costly."
        ),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The Wagtail image made from this file when the submission became a page."),
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The Wagtail document made from this file when the submission became a page."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "role", "position"], name="submissions_attachment_position"),
        ]
        verbose_name = _("submission attachment")

    def __str__(self) -> str:
        return self.original_name or f"{self.kind} {self.position}"

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def stored_name(self) -> str:
        """The file's name in the private storage: set when the file is saved, which every attachment is
        (``services.store.store_attachment``); Django types a file's name as optional."""
        name = self.file.name
        if name is None:
            raise ValueError(f"Attachment {self.pk} has no stored file.")
        return name


class SubmitterContact(models.Model):
    """Who sent the submission and what they agreed to; personal data, kept apart from the case."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, db_index=True)
    organisation = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=200, blank=True)

    consent_terms = models.BooleanField(help_text=_("Agreed to the submission terms (required)."))
    consent_publish_contact = models.BooleanField(
        default=False, help_text=_("Agreed that name, role, organisation and e-mail appear on the case.")
    )
    licence = models.CharField(max_length=20, help_text=_("Licence granted for the text (manual.models.Licence)."))
    consent_text_version = models.CharField(
        max_length=40, help_text=_("Version of the consent text shown (SUBMISSIONS_CONSENT_VERSION).")
    )
    consented_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitter contact")

    def __str__(self) -> str:
        return self.name


class ImportedCase(models.Model):
    """A case brought in by ``manage.py import_cases``, by its stable ``external_id``.

    ``revision`` is the revision the last import saved: when the page's latest revision is another
    one, an editor changed the page since, and a re-import leaves it alone (a conflict).
    ``content_hash`` is the hash of the item as imported (document and files): the same item again
    is ``unchanged``.
    """

    external_id = models.CharField(max_length=255, unique=True)
    page = models.ForeignKey("manual.CaseStudyPage", on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The submission the last import stored (fields, files and consent as imported)."),
    )
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("imported case")

    def __str__(self) -> str:
        return self.external_id
