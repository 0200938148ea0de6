"""Files in S3-compatible object storage (submissions/object_storage.py, docs/operations.md "Object storage"),
against a real S3 server on loopback (S3Proxy, scripts/with-object-storage.sh; `make test` starts one):
a submission's files in the private bucket, never readable by URL; public by URL once published;
the staff-only views stream private files; rejection, erasure and purge delete the objects; a
server that refuses or cannot be reached stores nothing."""

from __future__ import annotations

import io
import mimetypes
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.images import get_image_model

from manual.models import CaseStudyPage
from site_config.env import Env, object_storages
from submissions.models import Submission, SubmissionAttachment, SubmissionEvent, SubmissionStatus
from submissions.object_storage import ObjectStorageUnavailable
from submissions.services import media
from submissions.services import review as review_service
from submissions.services.personal_data.erase import erase
from submissions.services.personal_data.retention import purge
from tests.support.object_storage import Buckets, storages_under_test, use_buckets
from tests.support.samples import make_image
from tests.support.submissions import post_multipart, valid_payload
from tests.test_submissions_files_in_review import _approve, _files, _status, _submit

pytestmark = [pytest.mark.django_db, pytest.mark.object_storage]


@pytest.fixture
def buckets():
    with use_buckets(storages_under_test()) as buckets:
        get_image_model().get_rendition_model().cache_backend.clear()
        yield buckets


def anonymous_get(url: str) -> tuple[int, bytes]:
    """A GET straight to the S3 server, without credentials, as any browser would send it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's own http:// server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_submitted_image_lands_in_the_private_bucket_where_no_url_reaches_it(
    client, django_capture_on_commit_callbacks, buckets: Buckets, moderator
):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    rendition = image.get_rendition("fill-100x100")

    assert buckets.keys(buckets.public) == set(), "nothing of a submission in review is public"
    private = buckets.keys(buckets.private)
    originals = {f"submissions/{a.stored_name}" for a in SubmissionAttachment.objects.filter(submission=submission)}
    unpublished = {f"unpublished-media/{name}" for name in (image.file.name, rendition.file.name, document.file.name)}
    assert originals | unpublished == private and len(originals) == 2
    for key in private:  # the bucket refuses anonymous reads, and the public bucket has no copy
        assert anonymous_get(buckets.url(buckets.private, key))[0] == 403, key
        assert anonymous_get(buckets.url(buckets.public, key.split("/", 1)[1]))[0] in {403, 404}, key
    original = SubmissionAttachment.objects.filter(submission=submission).first()
    with pytest.raises(ValueError, match="no URL"):
        original.file.storage.url(original.stored_name)

    # The app's URLs of the files are the staff-only views: 404 to strangers, the bytes to moderators.
    urls = [image.file.url, rendition.url]
    assert all(url.startswith("/unpublished-media/") for url in urls)
    for url in [*urls, document.url]:
        assert _status(client, url) == 404, url
    client.force_login(moderator)
    response = client.get(image.file.url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert (
        read(response)
        == buckets.client.get_object(Bucket=buckets.private, Key=f"unpublished-media/{image.file.name}")["Body"].read()
    )


def test_the_staff_download_streams_an_original_from_the_private_bucket(
    client, django_capture_on_commit_callbacks, buckets: Buckets, moderator
):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    attachment = SubmissionAttachment.objects.get(submission=submission, position=0)
    url = reverse("submissions_admin:download", args=(submission.pk, attachment.pk))
    assert client.get(url).status_code in {302, 403, 404}, "anonymous: never the file"
    client.force_login(moderator)
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    stored = buckets.client.get_object(Bucket=buckets.private, Key=f"submissions/{attachment.stored_name}")
    assert read(response) == stored["Body"].read()


def test_on_publication_files_and_renditions_are_served_by_the_public_bucket(
    client, django_capture_on_commit_callbacks, buckets: Buckets, moderator
):
    submission, page = _submit(client, django_capture_on_commit_callbacks)
    image, _document = _files(submission)
    image.get_rendition("fill-100x100")  # made while private: dropped on publication

    _approve(client, moderator, page, django_capture_on_commit_callbacks)

    image, document = _files(submission)
    rendition = image.get_rendition("fill-100x100")
    private = buckets.keys(buckets.private)
    assert not any(key.startswith("unpublished-media/") for key in private), "private copies removed"
    assert {key for key in private if key.startswith("submissions/")}, "the originals stay private"
    public = buckets.keys(buckets.public)
    assert {image.file.name, rendition.file.name, document.file.name} <= public
    for item_url, key in ((image.file.url, image.file.name), (rendition.url, rendition.file.name)):
        assert item_url == buckets.url(buckets.public, key), "a plain bucket URL, no signature"
        status, body = anonymous_get(item_url)
        assert status == 200 and body == buckets.client.get_object(Bucket=buckets.public, Key=key)["Body"].read()
    # Wagtail's document view sends readers to the public file.
    response = client.get(document.url)
    if response.status_code == 302:
        assert anonymous_get(response["Location"])[0] == 200
    else:
        assert response.status_code == 200 and read(response)


def test_publication_copies_the_files_on_the_server_without_downloading_them(
    client, django_capture_on_commit_callbacks, buckets: Buckets
):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    sent = {}
    for item in _files(submission):
        key = f"unpublished-media/{item.file.name}"
        sent[type(item)] = buckets.client.get_object(Bucket=buckets.private, Key=key)["Body"].read()
    buckets.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert media.release_files(submission) == 2
    assert buckets.requests["GET"] == 0, f"no byte came through the app: {buckets.requests}"
    assert buckets.requests["PUT"] == 2, buckets.requests  # one CopyObject a file
    for item in _files(submission):
        status, body = anonymous_get(item.file.url)
        assert status == 200 and body == sent[type(item)], item.file.name
        stored = buckets.client.head_object(Bucket=buckets.public, Key=item.file.name)
        assert stored["ContentType"] == mimetypes.guess_type(item.file.name)[0], stored["ContentType"]
    assert not any(key.startswith("unpublished-media/") for key in buckets.keys(buckets.private))


def test_rejection_erasure_and_purge_delete_the_objects(
    client, django_capture_on_commit_callbacks, buckets: Buckets, moderator
):
    def unpublished_keys() -> set[str]:
        return {key for key in buckets.keys(buckets.private) if key.startswith("unpublished-media/")}

    rejected, _page = _submit(client, django_capture_on_commit_callbacks)
    _files(rejected)[0].get_rendition("fill-100x100")
    assert len(unpublished_keys()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        review_service.reject_submission(rejected, "Not an eParticipation initiative.", moderator)
    assert unpublished_keys() == set(), "images, renditions and documents deleted from the bucket"

    erased, _page = _submit(client, django_capture_on_commit_callbacks)
    assert unpublished_keys()
    with django_capture_on_commit_callbacks(execute=True):
        erase("mari@example.org")
    assert unpublished_keys() == set()

    # purge_submissions: a rejected submission whose files were left (as before files in review).
    purged, _page = _submit(client, django_capture_on_commit_callbacks)
    Submission.objects.filter(pk=purged.pk).update(status=SubmissionStatus.REJECTED)
    SubmissionEvent.objects.filter(submission=purged).update(created_at=purged.created_at - timedelta(days=100))
    assert unpublished_keys()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = purge(days=90)
    assert outcome.submissions >= 1 and unpublished_keys() == set()


@pytest.mark.parametrize("failure", ["credentials", "unreachable"])
def test_a_refusing_or_unreachable_server_stores_nothing_and_says_why(
    django_capture_on_commit_callbacks, buckets: Buckets, settings, failure
):
    configured = storages_under_test()
    private = dict(configured["submissions"]["OPTIONS"])
    if failure == "credentials":
        private["secret_key"] = "not-the-secret"
    else:
        private["endpoint_url"] = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.STORAGES = {**settings.STORAGES, "submissions": {**configured["submissions"], "OPTIONS": private}}
    attachment_file = SubmissionAttachment._meta.get_field("file")
    attachment_file.storage = storages["submissions"]
    before = Submission.objects.count()
    client = Client(raise_request_exception=True)
    with pytest.raises(ObjectStorageUnavailable) as raised, django_capture_on_commit_callbacks(execute=True):
        post_multipart(client, valid_payload(), [("hero.png", make_image("PNG", (160, 90)))])
    assert private["endpoint_url"] in str(raised.value) and buckets.private in str(raised.value)
    said = str(raised.value)
    assert ("403" in said and "OBJECT_STORAGE_SECRET_KEY" in said) if failure == "credentials" else "connect" in said
    ready = client.get("/readyz")
    assert ready.status_code == 503, "a load balancer takes the server out"
    check = ready.json()["checks"]["object_storage"]
    assert (
        check["ok"] is False
        and f"object storage {private['endpoint_url']} bucket '{buckets.private}'" in check["error"]
    )
    assert Submission.objects.count() == before, "no rows"
    assert buckets.keys(buckets.private) == set() == buckets.keys(buckets.public), "no objects"


def test_readiness_checks_both_buckets(client, buckets: Buckets):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["object_storage"] == {"ok": True}


def test_a_list_page_costs_no_s3_request_per_image(client, buckets: Buckets, en_cases):
    cases = list(en_cases[:6])
    assert len(cases) == 6
    for number, case in enumerate(cases):  # an image of its own per card: the worst case
        image = get_image_model().objects.create(
            title=f"Card {number}", file=ImageFile(io.BytesIO(make_image(size=(1280, 800))), name=f"card{number}.png")
        )
        CaseStudyPage.objects.filter(pk=case.pk).update(hero_image=image)
    url = "/api/v1/cases?locale=en&fields=title,thumbnail&page_size={}"
    for size in (2, 20):  # the first request of each makes the renditions (a GET and a PUT each)
        assert client.get(url.format(size)).status_code == 200

    costs = {}
    for size in (2, 20):
        buckets.requests.clear()
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url.format(size)).json()
        thumbnails = [item["thumbnail"] for item in body["results"] if item["thumbnail"]]
        costs[size] = (sum(buckets.requests.values()), len(queries))
    assert thumbnails, "the cards carry their pictures"
    assert costs[2][0] == costs[20][0] == 0, "URLs of stored renditions are made without asking S3"
    assert costs[2][1] == costs[20][1], "queries do not grow with the page"
    assert all(t["url"].startswith(buckets.url(buckets.public, "")) for t in thumbnails)
    assert anonymous_get(thumbnails[0]["url"])[0] == 200


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("OBJECT_STORAGE_URL", "ftp://files.example.org", "scheme"),
        ("OBJECT_STORAGE_PUBLIC_BUCKET", "Has_Capitals", "not an S3 bucket name"),
        ("OBJECT_STORAGE_PRIVATE_BUCKET", "manual-public", "must differ"),
        ("OBJECT_STORAGE_SECRET_KEY", "", "set both keys"),
        ("OBJECT_STORAGE_PUBLIC_ACL", "world-writable", "canned ACL"),
        ("OBJECT_STORAGE_ADDRESSING", "dns", "path or virtual"),
        ("OBJECT_STORAGE_PUBLIC_URL", "https://cdn.example.org/media?x=1", "no query"),
    ],
)
def test_invalid_object_storage_settings_fail_at_start_naming_the_variable(variable, value, reason):
    environ = {
        "OBJECT_STORAGE_URL": "https://s3.example.org",
        "OBJECT_STORAGE_PUBLIC_BUCKET": "manual-public",
        "OBJECT_STORAGE_PRIVATE_BUCKET": "manual-private",
        "OBJECT_STORAGE_ACCESS_KEY": "key",
        "OBJECT_STORAGE_SECRET_KEY": "secret",
        variable: value,
    }
    with pytest.raises(ImproperlyConfigured, match=f"^{variable}: .*{reason}"):
        object_storages(Env(environ))
