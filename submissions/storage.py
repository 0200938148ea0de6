"""The private storage of submitted files: outside MEDIA_ROOT, never served by any URL.

Configured as ``STORAGES["submissions"]`` (``SUBMISSIONS_PRIVATE_ROOT``, default
``$VAR_DIR/private/submissions``; settings refuse a folder inside MEDIA_ROOT or STATIC_ROOT). Model
fields point at the callable ``private_storage`` rather than at an instance, so the settings decide
where files go and migrations do not record a path.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages

STORAGE_ALIAS = "submissions"


class PrivateFileSystemStorage(FileSystemStorage):
    """A file-system storage without URLs: files leave it only through code that checks who asks."""

    def url(self, name: str | None) -> str:
        raise ValueError("Submitted files are private: they have no URL.")


def private_storage() -> Storage:
    return storages[STORAGE_ALIAS]
