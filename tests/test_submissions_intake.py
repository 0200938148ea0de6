"""POST /api/v1/submissions and the status route: answers, idempotency, rate limit, size limits."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.db import DatabaseCache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import connection
from django.test import Client

from core import ratelimit
from submissions.models import Submission, SubmissionAttachment, SubmissionStatus, SubmitterContact
from submissions.services.intake import read_part
from submissions.services.validate import UploadedPart
from tests.support.samples import make_pdf
from tests.support.stored_files import private_files
from tests.support.submissions import URL, errors_by_field, post_json, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


def _status_path(response) -> tuple[str, str]:
    parts = urlsplit(response.json()["status_url"])
    return parts.path, parse_qs(parts.query)["token"][0]


def test_a_json_submission_is_stored_and_answered_201(client):
    response = post_json(client, valid_payload())

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "status_url"}
    assert body["status"] == SubmissionStatus.RECEIVED  # conversion waits for the commit
    submission = Submission.objects.get(pk=body["id"])
    assert submission.locale == "en"
    assert submission.payload["title"] == "Neighbourhood budget of Tartu"
    assert submission.payload["country"] == "EE", "codes are normalised"
    assert "contact" not in submission.payload and "consent" not in submission.payload, "personal data kept apart"
    contact = SubmitterContact.objects.get(submission=submission)
    assert (contact.email, contact.consent_publish_contact, contact.licence) == (
        "mari@example.org",
        True,
        "CC-BY-SA-4.0",
    )
    assert contact.consent_text_version
    path, token = _status_path(response)
    assert path == f"/api/v1/submissions/{submission.pk}"
    assert token not in (submission.status_token_hash, str(submission.pk)), "only a hash of the token is stored"
    assert len(submission.client_fingerprint) == 64 and "127.0.0.1" not in submission.client_fingerprint
    assert [(e.from_status, e.to_status) for e in submission.events.all()] == [("", "received")]


def test_the_status_route_answers_the_token_holder_only(client):
    response = post_json(client, valid_payload())
    path, token = _status_path(response)

    status = client.get(path, {"token": token})
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "received" and body["locale"] == "en"
    assert [event["status"] for event in body["history"]] == ["received"]
    assert "mari" not in status.content.decode().lower(), "no personal data in the status answer"
    assert "no-store" in status["Cache-Control"], "a private answer is never kept by a shared cache"

    for wrong in ({"token": token[:-1] + ("A" if token[-1] != "A" else "B")}, {}, {"token": ""}):
        refused = client.get(path, wrong)
        assert refused.status_code == 404
        assert refused.json()["errors"][0]["code"] == "not_found"
    assert client.get("/api/v1/submissions/not-a-uuid", {"token": token}).status_code == 404


def test_an_idempotent_retry_answers_the_first_answer_and_stores_nothing_more(client):
    headers = {"Idempotency-Key": "3f1c7d2e-retry-me"}
    first = post_json(client, valid_payload(), **headers)
    again = post_json(client, valid_payload(), **headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json(), "same id, same status URL (token included)"
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1

    # Key order and whitespace do not make another request: the content is the same.
    reordered = json.dumps(dict(reversed(list(valid_payload().items()))), indent=2)
    assert post_json(client, reordered, **headers).json()["id"] == first.json()["id"]


def test_an_idempotency_key_reused_with_other_content_is_a_409(client):
    headers = {"Idempotency-Key": "key-1"}
    assert post_json(client, valid_payload(), **headers).status_code == 201
    conflict = post_json(client, valid_payload(title="Another case entirely"), **headers)

    assert conflict.status_code == 409
    assert conflict.json()["errors"][0] == {
        "field": "Idempotency-Key",
        "code": "idempotency_key_reused",
        "message": conflict.json()["errors"][0]["message"],
    }
    assert Submission.objects.count() == 1


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(client):
    headers = {"Idempotency-Key": "multipart-key"}
    first = client.post(
        URL,
        data={"data": json.dumps(valid_payload()), "attachments": [_file("report.pdf", make_pdf())]},
        headers=headers,
    )
    again = client.post(
        URL,
        data={"data": json.dumps(valid_payload()), "attachments": [_file("renamed.pdf", make_pdf())]},
        headers=headers,
    )
    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert SubmissionAttachment.objects.count() == 1


def _file(name: str, content: bytes):
    return SimpleUploadedFile(name, content)


def test_an_invalid_idempotency_key_is_refused(client):
    response = post_json(client, valid_payload(), **{"Idempotency-Key": "has spaces in it"})
    assert errors_by_field(response) == {"Idempotency-Key": "invalid"}


def test_the_rate_limit_answers_429_with_retry_after(client, settings):
    settings.SUBMISSIONS_RATE_LIMIT = 2
    assert post_json(client, valid_payload()).status_code == 201
    assert post_json(client, valid_payload(title="Second case")).status_code == 201
    limited = post_json(client, valid_payload(title="Third case"))

    assert limited.status_code == 429
    assert limited.json()["errors"][0]["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert Submission.objects.count() == 2


def test_the_rate_limit_window_slides_instead_of_resetting_on_the_hour(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 5
    hour = 3600 * 480_000  # some hour boundary
    for second in range(5):  # the whole budget in the last minute of an hour
        assert ratelimit.hit("sliding", now=hour - 60 + second).allowed
    assert not ratelimit.hit("sliding", now=hour - 1).allowed

    just_after = ratelimit.hit("sliding", now=hour + 60)
    assert not just_after.allowed, "a fixed window would have reset at the hour"
    # The previous hour weighs less as it slides out of the last 60 minutes: Retry-After is when
    # enough of it has (the burst counts as spread over its hour: the two-bucket estimate).
    assert 1000 < just_after.retry_after < 3600
    assert ratelimit.hit("sliding", now=hour + 60 + just_after.retry_after).allowed


def test_invalid_attempts_count_too_and_replays_do_not(client, settings):
    settings.SUBMISSIONS_RATE_LIMIT = 2
    headers = {"Idempotency-Key": "counted-once"}
    assert post_json(client, valid_payload(), **headers).status_code == 201
    assert post_json(client, valid_payload(), **headers).status_code == 201, "a replay is not an attempt"
    assert post_json(client, valid_payload(title="")).status_code == 400
    assert post_json(client, valid_payload(title="Fourth")).status_code == 429


def test_two_clients_at_one_address_share_the_limit_through_the_database_cache(settings):
    """Two Client instances stand for two gunicorn workers: only the database holds the counter."""
    settings.SUBMISSIONS_RATE_LIMIT = 3
    worker_a, worker_b = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.7")
    other_client = Client(REMOTE_ADDR="198.51.100.1")

    assert post_json(worker_a, valid_payload(title="One")).status_code == 201
    assert post_json(worker_b, valid_payload(title="Two")).status_code == 201
    assert post_json(worker_a, valid_payload(title="Three")).status_code == 201
    assert post_json(worker_b, valid_payload(title="Four")).status_code == 429
    assert post_json(worker_a, valid_payload(title="Five")).status_code == 429
    assert post_json(other_client, valid_payload(title="Six")).status_code == 201, "the limit is per client"

    assert django_settings.CACHES["submissions"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM submissions_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len([key for key in keys if "rate:" in key]) == 2, "one counter per client, in the database"
    # A cache object of another process (built afresh from the settings) reads the same counter.
    fresh = DatabaseCache("submissions_cache", {})
    counters = [fresh.get(key.split(":", 2)[-1], version=1) for key in keys]
    assert sorted(counters) == [1, 5]


def test_ipv6_clients_are_counted_per_64_block(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 1
    assert post_json(Client(REMOTE_ADDR="2001:db8:1:2::1"), valid_payload()).status_code == 201
    assert post_json(Client(REMOTE_ADDR="2001:db8:1:2::99"), valid_payload(title="B")).status_code == 429
    assert post_json(Client(REMOTE_ADDR="2001:db8:1:3::1"), valid_payload(title="C")).status_code == 201


def test_behind_trusted_proxies_the_client_is_taken_from_x_forwarded_for(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 1
    settings.SUBMISSIONS_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    spoofing = Client(**proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")  # the client wrote 1.2.3.4 itself
    another = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert post_json(first, valid_payload()).status_code == 201
    assert post_json(spoofing, valid_payload(title="B")).status_code == 429
    assert post_json(another, valid_payload(title="C")).status_code == 201


def test_a_rate_limit_of_zero_is_off(client, settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    for number in range(7):
        assert post_json(client, valid_payload(title=f"Case {number}")).status_code == 201


def test_an_oversized_request_is_a_413_before_its_body_is_read(client, settings):
    declared = settings.SUBMISSIONS_MAX_REQUEST_BYTES + 1
    response = client.generic(
        "POST", URL, b"--x--", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(declared)
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"

    too_much_json = client.post(
        URL, data=b"{" + b" " * settings.SUBMISSIONS_MAX_JSON_BYTES + b"}", content_type="application/json"
    )
    assert too_much_json.status_code == 413
    assert Submission.objects.count() == 0 and not private_files()


def test_a_real_multipart_body_over_the_limit_is_a_413(client, settings):
    settings.SUBMISSIONS_MAX_REQUEST_BYTES = 64 * 1024
    response = post_multipart(client, valid_payload(), [("big.pdf", b"%PDF-" + b"0" * 70 * 1024)])
    assert response.status_code == 413


def test_other_content_types_are_a_415(client):
    response = client.post(URL, data="title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_the_api_takes_posts_without_a_csrf_token():
    """Submitters have no session; Django's CSRF middleware must not refuse them."""
    strict = Client(enforce_csrf_checks=True)
    assert post_json(strict, valid_payload()).status_code == 201


def test_the_openapi_document_describes_the_routes(client):
    document = client.get("/api/v1/openapi.json").json()
    create = document["paths"]["/api/v1/submissions"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert {"title", "body", "consent", "attachments"} - set(schema["properties"]) == {"attachments"}
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"201", "400", "409", "413", "429"} <= set(create["responses"])
    assert "/api/v1/submissions/{submission_id}" in document["paths"]


def test_a_file_part_is_refused_by_its_size_stated_or_learnt(settings):
    """Django's uploads state their size; a file that does not is read one byte past the limit at most."""
    settings.SUBMISSIONS_MAX_FILE_BYTES = 10
    small, big = SimpleUploadedFile("a.pdf", b"%PDF-1"), SimpleUploadedFile("b.pdf", b"%PDF-" + b"0" * 20)
    assert read_part(small) == UploadedPart(b"%PDF-1", "a.pdf", size=6)
    assert read_part(big) == UploadedPart(b"", "b.pdf", size=25), "refused by its stated size, unread"

    unsized_small = UploadedFile(io.BytesIO(b"%PDF-1"), "a.pdf", size=None)
    assert read_part(unsized_small) == UploadedPart(b"%PDF-1", "a.pdf", size=6)
    unsized_big = UploadedFile(io.BytesIO(b"%PDF-" + b"0" * 20), "b.pdf", size=None)
    part = read_part(unsized_big)
    assert part == UploadedPart(b"", "b.pdf", size=11) and part.oversized
