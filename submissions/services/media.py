"""Files of a submission in review: public only once its case is published.

Conversion (``services.convert``) turns attachments into Wagtail images and documents. Until the
case is published they are *unpublished*:

- in the collection "Submissions in review" (``manual.services.review``), which the image and
  document choosers offer only to users with a permission granted on that collection itself
  (Editors, Moderators, superusers; ``submissions.wagtail_hooks``), and whose "groups" view
  restriction keeps Wagtail's document view closed to anyone else;
- under a name starting with ``storage.UNPUBLISHED_PREFIX``, which ``storage.MediaStorage`` keeps
  outside MEDIA_ROOT (renditions too: they are named after their original). Their URLs lead to
  ``open_unpublished`` (images) or Wagtail's document view, both refusing with a 404 anyone who may
  not see them, so nothing tells a stranger that the file exists.

When a page made from the submission is published, ``release_files`` (``release_files_task``, run after the commit)
renames each file without the prefix, moves it to the public "Submissions" collection and drops
the renditions made while private (they are made again, publicly, when asked for). When the
submission ends without publication (rejected, spam, erased, purged), ``discard_files`` deletes the
unpublished images and documents; Wagtail deletes their files and renditions after the commit. The
originals stay in the private storage with the submission until it is erased.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from functools import partial
from typing import Any, cast

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django_tasks import task
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission

from core.task_priorities import TaskPriority
from manual.services.review import SUBMISSIONS_IN_REVIEW_COLLECTION, ensure_in_review_collection
from submissions.models import Submission, SubmissionAttachment, SubmissionStatus
from submissions.storage import UNPUBLISHED_PREFIX, CopyingStorage, is_unpublished_name

logger = logging.getLogger(__name__)

PUBLIC_COLLECTION = "Submissions"
# Submissions with an image or a document still on the private side.
HAS_UNPUBLISHED_FILES = Q(attachments__image__file__contains=f"/{UNPUBLISHED_PREFIX}") | Q(
    attachments__document__file__contains=f"/{UNPUBLISHED_PREFIX}"
)


class FileNotVisible(Exception):
    """No such unpublished file, or the user may not see it: answered 404 either way."""


# --- collections and names ------------------------------------------------------------------------


def in_review_collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=SUBMISSIONS_IN_REVIEW_COLLECTION).first()
    # Made by sync_locales at every start; made here too for a database that has not run it yet.
    return existing or ensure_in_review_collection()


def public_collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=PUBLIC_COLLECTION).first()
    return existing or root.add_child(name=PUBLIC_COLLECTION)


def unpublished_name(attachment: SubmissionAttachment) -> str:
    # Never the client's name: the attachment's id, which also makes the public name unguessable.
    return f"{UNPUBLISHED_PREFIX}{attachment.pk}.{attachment.stored_name.rsplit('.', 1)[-1]}"


def public_name(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "submission-" + base.removeprefix(UNPUBLISHED_PREFIX))


def is_unpublished(item: Any) -> bool:
    return item is not None and is_unpublished_name(item.file.name)


# --- who sees them --------------------------------------------------------------------------------


def may_see_unpublished(user: Any) -> bool:
    """Superusers, and members of a group with a permission on the in-review collection itself.

    A grant on an ancestor (the root collection, as Translators have for choosing images) does not
    count: that is what keeps unreviewed files from translators.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return GroupCollectionPermission.objects.filter(
        collection__name=SUBMISSIONS_IN_REVIEW_COLLECTION, collection__depth=2, group__user=user
    ).exists()


def visible_to(queryset, user: Any):
    """An image or document queryset without the unpublished ones, unless the user may see them."""
    if may_see_unpublished(user):
        return queryset
    hidden = Collection.objects.filter(name=SUBMISSIONS_IN_REVIEW_COLLECTION, depth=2).first()
    if hidden is not None:
        queryset = queryset.exclude(collection__path__startswith=hidden.path)
    return queryset.exclude(file__contains=f"/{UNPUBLISHED_PREFIX}")


def open_unpublished(user: Any, name: str) -> tuple[File, str]:
    """The file behind an unpublished image's (or rendition's) URL, for those who may see it."""
    if not is_unpublished_name(name) or not may_see_unpublished(user):
        raise FileNotVisible(name)
    storage = get_image_model()._meta.get_field("file").storage
    try:
        handle = storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation) as exc:  # missing, or a name leading out of the folder
        raise FileNotVisible(name) from exc
    return handle, mimetypes.guess_type(name)[0] or "application/octet-stream"


# --- publication, and the end without it ----------------------------------------------------------


def made_from(submission: Submission) -> list[Any]:
    """The Wagtail images and documents made from the submission's attachments."""
    attachments = SubmissionAttachment.objects.filter(submission=submission).select_related("image", "document")
    return [item for attachment in attachments for item in (attachment.image, attachment.document) if item]


def schedule_release(submission: Submission) -> None:
    """After the commit that published the case, make its files public (``release_files_task``)."""
    submission_id = str(submission.pk)
    transaction.on_commit(lambda: release_files_task.enqueue(submission_id))


def release_files(submission: Submission) -> int:
    """Move the submission's unpublished images and documents to public names and the public
    collection; returns how many moved. Idempotent: public ones are left alone.

    Run after the publication committed, so a publication that rolls back never leaves a public
    copy behind.
    """
    moved = 0
    collection = public_collection()
    for item in made_from(submission):
        if is_unpublished(item):
            _move(item, public_name(item.file.name), collection)
            moved += 1
    if moved:
        logger.info("submission files published", extra={"submission": str(submission.pk), "files": moved})
    return moved


@task(priority=TaskPriority.PUBLICATION)
def release_files_task(submission_id: str) -> int:
    """Make the files of a published submission public (``release_files``); returns how many moved."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return 0
    try:
        return release_files(submission)
    except Exception:
        # The case is live with its images still private (they show to staff only): say it loudly.
        logger.exception("submission files not published", extra={"submission": submission_id})
        raise


def discard_files(submission: Submission) -> int:
    """Delete the submission's images and documents that are still unpublished; returns how many.

    Pages lose them (the hero image is emptied, document links go); Wagtail deletes the files and
    renditions after the commit. The originals go with ``discard_originals``.
    """
    discarded = 0
    for item in made_from(submission):
        if is_unpublished(item):
            item.delete()
            discarded += 1
    return discarded


def discard_originals(submission: Submission) -> int:
    """Delete the files the person sent (private storage) after the commit; returns how many.

    The attachment rows stay for the editors' records (the staff download then answers 404).
    """
    attachments = SubmissionAttachment.objects.filter(submission=submission)
    names = [attachment.file.name for attachment in attachments if attachment.file.name]
    storage = SubmissionAttachment._meta.get_field("file").storage
    for name in names:
        transaction.on_commit(partial(storage.delete, name))
    return len(names)


def conceal_unpublished() -> int:
    """Files made before this rule for submissions not yet published: moved to the private side.

    Run after every migrate (``apps.SubmissionsConfig``); finds nothing once they are all private.
    """
    attachments = (
        SubmissionAttachment.objects.exclude(submission__status=SubmissionStatus.PUBLISHED)
        .filter(Q(image__isnull=False) | Q(document__isnull=False))
        .select_related("image", "document")
    )
    concealed = 0
    for attachment in attachments:
        for item in (attachment.image, attachment.document):
            if item is not None and not is_unpublished(item):
                name = posixpath.join(posixpath.dirname(item.file.name), unpublished_name(attachment))
                _move(item, name, in_review_collection())
                concealed += 1
    return concealed


def _move(item: Any, name: str, collection: Collection) -> None:
    """Copy the file under ``name`` (the storage puts it on the private or public side by its name),
    point the row at it, drop renditions made on the other side; the old file goes after the commit.
    """
    old = item.file.name
    storage = item.file.storage
    with transaction.atomic():
        # Every media storage copies (STORAGES["default"], submissions.storage); object storage on its server.
        item.file.name = cast(CopyingStorage, storage).copy(old, name)
        item.collection = collection
        item.save(update_fields=["file", "collection"])
        renditions = getattr(item, "renditions", None)
        if renditions is not None:
            renditions.all().delete()  # Wagtail deletes their files after the commit
        transaction.on_commit(lambda: storage.delete(old))
