"""The storages of ``submissions.storage`` in S3-compatible object storage (django-storages, boto3).

Chosen by ``site_config.env.object_storages`` when OBJECT_STORAGE_URL is set (docs/operations.md
"Object storage"); the local-disk storages stay the default. A module of its own so that boto3 is
imported only by installations that use it.

- ``PrivateObjectStorage`` is ``STORAGES["submissions"]``: the originals of submissions, under the
  prefix ``submissions/`` of the private bucket. Like ``PrivateFileSystemStorage`` it has no URL:
  the staff-only download view streams its files (no presigned URL either: a link that anyone
  holding it can open for an hour is a URL).
- ``ObjectMediaStorage`` is ``STORAGES["default"]``: Wagtail images, renditions and documents in the
  public bucket, readable by URL, except those of unpublished submissions (by name, exactly as
  ``MediaStorage`` decides on disk), which go under ``unpublished-media/`` of the private bucket and
  whose URL is the staff-only view ``submissions_unpublished_file``. Publication renames a file
  without the prefix (``services.media.release_files``), which copies it into the public bucket
  on the server (``copy``).

Every failure of the server (unreachable, refused credentials, a missing bucket) is raised as
``ObjectStorageUnavailable``, an ``OSError`` naming the endpoint and bucket: the code that writes
files already treats an ``OSError`` as "nothing stored" (``services.store`` removes what it wrote
and rolls back).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import Storage
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from submissions.storage import is_unpublished_name

T = TypeVar("T")
SERVER_ERRORS = (BotoCoreError, ClientError, Boto3Error)


class ObjectStorageUnavailable(OSError):
    """The object storage did not do what was asked: unreachable, credentials refused, no bucket."""


class BucketStorage(S3Storage):
    """One bucket (and prefix) with this project's client settings; server errors as OSError."""

    def __init__(self, client_config_options: dict[str, Any] | None = None, **options: Any) -> None:
        options["client_config"] = Config(
            s3={"addressing_style": options.get("addressing_style") or "path"},
            # A failure must show within seconds (a submission waits on it), not after boto3's
            # minute-long defaults; one retry absorbs a dropped connection.
            retries={"max_attempts": 2, "mode": "standard"},
            # Checksums only where S3 demands them: S3-compatible servers (S3Proxy, older MinIO and
            # Ceph) refuse boto3's default trailing checksums with NotImplemented.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            **(client_config_options or {}),
        )
        super().__init__(**options)

    def _call(self, operation: Callable[..., T], *args: Any) -> T:
        try:
            return operation(*args)
        except SERVER_ERRORS as exc:
            hint = ""
            if isinstance(exc, ClientError) and exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403:
                # A HEAD carries no error body: say what a 403 means here.
                hint = (
                    " (access denied: check OBJECT_STORAGE_ACCESS_KEY, OBJECT_STORAGE_SECRET_KEY and the key's rights)"
                )
            raise ObjectStorageUnavailable(
                f"object storage {self.endpoint_url} bucket {self.bucket_name!r}: {exc}{hint}"
            ) from exc

    def _open(self, name: str, mode: str = "rb"):
        return self._call(super()._open, name, mode)

    def _save(self, name: str, content) -> str:
        return self._call(super()._save, name, content)

    def delete(self, name: str) -> None:
        self._call(super().delete, name)

    def exists(self, name: str) -> bool:
        return self._call(super().exists, name)

    def size(self, name: str) -> int:
        return self._call(super().size, name)

    def ping(self) -> None:
        """Raise ``ObjectStorageUnavailable`` unless the bucket answers to this key (``/readyz``)."""
        self._call(lambda: self.connection.meta.client.head_bucket(Bucket=self.bucket_name))


@deconstructible(path="submissions.object_storage.PrivateObjectStorage")
class PrivateObjectStorage(BucketStorage):
    """The private bucket's files have no URL: they leave it only through code that checks who asks."""

    def url(self, name: str | None, parameters=None, expire=None, http_method=None) -> str:
        raise ValueError("Submitted files are private: they have no URL.")


@deconstructible(path="submissions.object_storage.ObjectMediaStorage")
class ObjectMediaStorage(Storage):
    """The public bucket, except files of unpublished submissions (by name): the private bucket."""

    def __init__(self, public: dict[str, Any], unpublished: dict[str, Any]) -> None:
        self._public_options = public
        self._unpublished_options = unpublished

    @cached_property
    def public(self) -> BucketStorage:
        return BucketStorage(**self._public_options)

    @cached_property
    def unpublished(self) -> PrivateObjectStorage:
        return PrivateObjectStorage(**self._unpublished_options)

    def side(self, name: str | None) -> BucketStorage:
        return self.unpublished if is_unpublished_name(name) else self.public

    def _open(self, name: str, mode: str = "rb"):
        return self.side(name)._open(name, mode)

    def _save(self, name: str, content) -> str:
        return self.side(name)._save(name, content)

    def delete(self, name: str) -> None:
        self.side(name).delete(name)

    def exists(self, name: str) -> bool:
        return self.side(name).exists(name)

    def size(self, name: str) -> int:
        return self.side(name).size(name)

    def get_modified_time(self, name: str):
        return self.side(name).get_modified_time(name)

    def listdir(self, path: str):
        return self.public.listdir(path)

    def ping(self) -> None:
        self.public.ping()
        self.unpublished.ping()

    def copy(self, source: str, name: str) -> str:
        """Store a copy of ``source`` under ``name`` (or the next free name), each in its bucket (by
        name), with one CopyObject request: the bytes stay on the server instead of passing through
        this process (publication copies every image and document of a case, documents up to the
        upload limit). Returns the name stored. ``MediaStorage.copy`` is the local-disk equivalent.
        """
        name = self.get_available_name(name)
        origin, target = self.side(source), self.side(name)
        # The headers a save would set (content type, ACL, OBJECT_STORAGE_* object parameters);
        # REPLACE, or the copy would keep the private original's.
        headers = target._get_write_parameters(name)
        target._call(
            lambda: target.connection.meta.client.copy_object(
                CopySource={"Bucket": origin.bucket_name, "Key": origin._normalize_name(clean_name(source))},
                Bucket=target.bucket_name,
                Key=target._normalize_name(clean_name(name)),
                MetadataDirective="REPLACE",
                **headers,
            )
        )
        return name

    def url(self, name: str | None) -> str:
        if is_unpublished_name(name):
            return reverse("submissions_unpublished_file", kwargs={"name": name})
        # Made from OBJECT_STORAGE_PUBLIC_URL without asking the server: no request per image.
        return self.public.url(name)
