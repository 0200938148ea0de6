"""Storages of submitted files: the private one of the originals, and the media storage that keeps
the Wagtail images and documents of an unpublished submission away from the public media folder.

``PrivateFileSystemStorage`` is ``STORAGES["submissions"]`` (``SUBMISSIONS_PRIVATE_ROOT``, default
``$VAR_DIR/private/submissions``; settings refuse a folder inside MEDIA_ROOT or STATIC_ROOT). Model
fields point at the callable ``private_storage`` rather than at an instance, so the settings decide
where files go and migrations do not record a path.

``MediaStorage`` is ``STORAGES["default"]``: Wagtail images, renditions and documents. A file whose
name starts with ``UNPUBLISHED_PREFIX`` belongs to a submission not yet published
(``services.media``); it is kept under ``SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT``, outside MEDIA_ROOT,
so neither the app's ``/media/`` route nor a web server serving MEDIA_ROOT can reach it, and its URL
is the staff-only view ``submissions_unpublished_file``. The decision is made by the file name
because that is all a storage sees, and because Wagtail names a rendition after its original
(``<original name>.<filter>.<ext>``): the renditions of an unpublished image are kept private by
the same rule without any change to Wagtail's models. On publication the files are renamed without
the prefix (``services.media.release_files``), which moves them into MEDIA_ROOT.

Both are the embedded default; with OBJECT_STORAGE_URL set, ``submissions.object_storage`` keeps the
same files by the same rules in a public and a private bucket (docs/operations.md "Object storage").
"""

from __future__ import annotations

import posixpath
from functools import cached_property
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse
from django.utils.deconstruct import deconstructible

STORAGE_ALIAS = "submissions"
# Short on purpose: Wagtail cuts a rendition's name to 59 characters, keeping its start, and the
# prefix must survive whatever filter spec follows it. Unusual enough that no editor's upload starts
# with it; one that did would only be kept private (never the other way round).
UNPUBLISHED_PREFIX = "unreviewed-"


class PrivateFileSystemStorage(FileSystemStorage):
    """A file-system storage without URLs: files leave it only through code that checks who asks."""

    def url(self, name: str | None) -> str:
        raise ValueError("Submitted files are private: they have no URL.")


def private_storage() -> Storage:
    return storages[STORAGE_ALIAS]


class CopyingStorage(Protocol):
    """The media storages (``MediaStorage`` on disk, ``submissions.object_storage.ObjectMediaStorage``):
    publication copies a file from the private side to the public one (``services.media``)."""

    def copy(self, source: str, name: str) -> str: ...


def is_unpublished_name(name: str | None) -> bool:
    return bool(name and posixpath.basename(name).startswith(UNPUBLISHED_PREFIX))


@deconstructible(path="submissions.storage.MediaStorage")
class MediaStorage(FileSystemStorage):
    """MEDIA_ROOT, except files of unpublished submissions (by name), which live in a private folder."""

    def __init__(self, unpublished_location: str | Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._unpublished_location = unpublished_location

    @cached_property
    def unpublished(self) -> FileSystemStorage:
        location = self._unpublished_location or settings.SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT
        return FileSystemStorage(location=location, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    def path(self, name: str) -> str:
        # Every file operation of FileSystemStorage but saving (open, delete, exists, size) goes here.
        if is_unpublished_name(name):
            return self.unpublished.path(name)
        return super().path(name)

    def _save(self, name: str, content) -> str:
        # Saving also makes the name relative to its storage's root: the private root for these.
        # django-stubs lacks _save, the hook Django documents for custom storages ("Writing a custom
        # storage system"), hence the two ignores.
        if is_unpublished_name(name):
            return self.unpublished._save(name, content)  # type: ignore[attr-defined]
        return super()._save(name, content)  # type: ignore[misc]

    def url(self, name: str | None) -> str:
        if is_unpublished_name(name):
            return reverse("submissions_unpublished_file", kwargs={"name": name})
        return super().url(name)

    def copy(self, source: str, name: str) -> str:
        """Store a copy of ``source`` under ``name`` (or the next free name), each on its side (public
        or private, by name); returns the name stored. ``ObjectMediaStorage.copy`` does the same on
        the object storage's server."""
        with self.open(source, "rb") as content:
            return self.save(name, content)
