"""The files a test left in storage: database rows roll back after each test, files do not.

The fixtures of tests/conftest.py snapshot the folders before a test and remove what it added.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from wagtail.images import get_image_model

from submissions.models import SubmissionAttachment


def files_under(*roots: Path) -> set[Path]:
    return {path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()}


def _private_root() -> Path:
    # The model field's storage: FileField resolves its storage callable once, at import.
    root = Path(SubmissionAttachment._meta.get_field("file").storage.location)
    # A bucket's location is a key prefix such as "submissions", which as a path would name a folder
    # of the working directory (the app's own sources): never list, let alone delete, that.
    if not root.is_absolute():
        raise RuntimeError(f"the private storage's location {root} is no folder: a test left a bucket in place")
    return root


_before_test: set[Path] = set()


def private_files() -> list[Path]:
    """Files the current test added to the private storage of submissions."""
    return sorted(files_under(_private_root()) - _before_test)


@contextmanager
def private_files_removed() -> Iterator[None]:
    """Remembers the private storage's files, then removes those added inside the block."""
    _before_test.clear()
    _before_test.update(files_under(_private_root()))
    yield
    for path in private_files():
        path.unlink(missing_ok=True)


@contextmanager
def media_files_removed() -> Iterator[None]:
    """Removes the files added under MEDIA_ROOT and the unpublished folder inside the block, and
    empties the renditions cache first (keyed by image id, which the next test's image may reuse)."""
    get_image_model().get_rendition_model().cache_backend.clear()
    roots = [Path(settings.MEDIA_ROOT), Path(settings.SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT)]
    before = files_under(*roots)
    yield
    for path in files_under(*roots) - before:
        path.unlink(missing_ok=True)
