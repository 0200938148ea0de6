"""The object storage of the test run (scripts/with-object-storage.sh starts S3Proxy, a real S3 server).

``use_buckets`` switches the storages of one test to the run's two buckets (the storages
``site_config.env.object_storages`` builds from the OBJECT_STORAGE_* variables, kept aside by
tests/settings.py) and removes every object the test stored afterwards.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings

from submissions.models import SubmissionAttachment


@dataclass
class Buckets:
    """The run's server and buckets, seen with the app's credentials, and the S3 requests counted."""

    endpoint: str
    public: str
    private: str
    client: Any
    requests: Counter = field(default_factory=Counter)

    def keys(self, bucket: str) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=bucket)
        # S3Proxy's filesystem backend also lists its folders ("a/"): not objects anyone stored.
        return {item["Key"] for item in listing.get("Contents", []) if not item["Key"].endswith("/")}

    def url(self, bucket: str, key: str) -> str:
        return f"{self.endpoint}/{bucket}/{key}"


def storages_under_test() -> dict[str, dict[str, Any]]:
    """The run's object storages; without a server the test is skipped, or fails under CI=true."""
    configured = settings.OBJECT_STORAGES_UNDER_TEST
    if not configured:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no object storage: run the suite through scripts/with-object-storage.sh")
        pytest.skip("no object storage (OBJECT_STORAGE_URL unset); `make test` starts one")
    return configured


def _client(options: dict[str, Any]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _count_requests(buckets: Buckets):
    def before_send(request, **kwargs):
        buckets.requests[request.method] += 1

    return before_send


@contextmanager
def use_buckets(configured: dict[str, dict[str, Any]]) -> Iterator[Buckets]:
    public = configured["default"]["OPTIONS"]["public"]
    private = configured["submissions"]["OPTIONS"]
    buckets = Buckets(
        public["endpoint_url"].rstrip("/"), public["bucket_name"], private["bucket_name"], _client(public)
    )
    # The attachment field resolved its storage callable once, at import (tests/support/stored_files.py):
    # it is pointed at the bucket for the test and always pointed back, whatever fails (the cleanup of
    # tests/conftest.py lists the field storage's folder, which must be the local one again).
    attachment_file = SubmissionAttachment._meta.get_field("file")
    local = attachment_file.storage
    counter = _count_requests(buckets)
    app_clients: list[Any] = []
    with override_settings(STORAGES={**settings.STORAGES, **configured}):
        try:
            attachment_file.storage = storages["submissions"]
            media = storages["default"]
            # Every request the app's S3 clients send (their events), counted by HTTP method.
            app_clients = [
                client.meta.client
                for client in (
                    attachment_file.storage.connection,
                    media.public.connection,
                    media.unpublished.connection,
                )
            ]
            for client in app_clients:
                client.meta.events.register("before-send.s3", counter)
            yield buckets
        finally:
            for client in app_clients:
                client.meta.events.unregister("before-send.s3", counter)
            attachment_file.storage = local
            for bucket in (buckets.public, buckets.private):
                for key in buckets.keys(bucket):
                    buckets.client.delete_object(Bucket=bucket, Key=key)
