"""Idempotency keys, request fingerprints and the secret status tokens.

A client may send ``Idempotency-Key``; the first successful submission with a key is bound to it
and to the request's content hash. Repeating the request with the same key answers the first
answer again (same id, same status URL) and stores nothing; the same key with other content is a
409. Keys are stored as SHA-256 only.

The content hash covers what the request *means*, not its bytes: the JSON document in canonical
form and each file's role, position and SHA-256. A multipart retry has a new random boundary, but
is the same request.

The status token is a secret in the status URL; only its SHA-256 is stored. To answer a replay
with the same URL without keeping the token, a token issued together with an idempotency key is
derived: ``HMAC(SECRET_KEY, submission id + idempotency key)``. Re-deriving it needs the key,
which only the client has (the database holds its hash), and the server's secret; rotating
``SECRET_KEY`` keeps replays working through ``SECRET_KEY_FALLBACKS``. Without a key there is no
replay, and the token is plain random.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

from core.api_errors import InvalidInput

HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


def read_key(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if not _KEY_PATTERN.match(raw):
        raise InvalidInput(HEADER, "Use 1 to 255 printable ASCII characters, e.g. a UUID.", "invalid")
    return raw


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def request_hash(document: Any, raw_document: bytes, files: Iterable[tuple[str, int, bytes]]) -> str:
    """Hash of the request's meaning; ``document`` is the parsed JSON, or None when it did not parse."""
    digest = hashlib.sha256()

    def part(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    if document is None:
        part(b"raw:" + raw_document)
    else:
        part(json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    for role, position, content in files:
        part(f"{role}:{position}:".encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()


def _derived_token(submission_id: str, key: str, secret: str | bytes) -> str:
    mac = salted_hmac("submissions.status_token", f"{submission_id}:{key}", secret=secret, algorithm="sha256")
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def new_status_token(submission_id: str, key: str | None) -> str:
    if key is None:
        return secrets.token_urlsafe(32)
    return _derived_token(submission_id, key, settings.SECRET_KEY)


def replay_status_token(submission_id: str, key: str, token_hash: str) -> str | None:
    """The token first issued with this key, or None when no current or fallback secret derives it."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        token = _derived_token(submission_id, key, secret)
        if token_matches(token, token_hash):
            return token
    return None


def token_matches(token: str | None, token_hash: str) -> bool:
    if not token or not token_hash:
        return False
    return hmac.compare_digest(sha256(token), token_hash)
