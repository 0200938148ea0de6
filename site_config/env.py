"""Read and validate the service's configuration from the environment.

Every setting an operator may change is read here, in one place, so that a wrong value stops
start-up with a message naming the variable instead of failing later in a request.
"""

from __future__ import annotations

import builtins
import math
import os
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
LOCALE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class Env:
    """Typed access to environment variables; every error names the variable.

    The methods are named after the types they return, so inside the class ``str`` and ``list``
    name the methods: annotations after them spell the built-in types ``builtins.str``.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def fail(self, name: str, reason: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{name}: {reason}")

    def str(self, name: str, default: str = "") -> str:
        value = self._raw(name)
        return default if value is None or value == "" else value

    def bool(self, name: builtins.str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise self.fail(name, f"expected true/false (1/0, yes/no, on/off), got {value!r}")

    def int(self, name: builtins.str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise self.fail(name, f"expected an integer, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise self.fail(name, f"must be at least {minimum}, got {number}")
        if maximum is not None and number > maximum:
            raise self.fail(name, f"must be at most {maximum}, got {number}")
        return number

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        value = self._raw(name)
        if value is None or value == "":
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def url(self, name: builtins.str, schemes: set[builtins.str], default: builtins.str = "") -> builtins.str:
        value = self.str(name, default)
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise self.fail(name, f"scheme must be one of {', '.join(sorted(schemes))}, got {value!r}")
        if parts.scheme not in {"sqlite"} and not parts.hostname:
            raise self.fail(name, f"a host is required, got {value!r}")
        return value

    def secret(self, name: builtins.str, file: Path) -> builtins.str:
        """The variable, else the contents of ``file`` (the one ``make run`` generates), else "".

        Management commands then run with the served secret without anyone exporting it, and a
        secret given in the environment still wins over the file.
        """
        value = self.str(name)
        if value:
            return value
        try:
            return file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            raise self.fail(name, f"unset, and {file} cannot be read: {exc}") from None

    def path(self, name: builtins.str, default: Path) -> Path:
        value = self.str(name)
        return Path(value).expanduser().resolve() if value else default

    def locales(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        codes = [code.lower() for code in self.list(name, default)]
        if not codes:
            raise self.fail(name, "at least one locale code is required")
        for code in codes:
            if not LOCALE_CODE.match(code):
                raise self.fail(name, f"{code!r} is not a language code such as 'en' or 'pt-br'")
        if len(set(codes)) != len(codes):
            raise self.fail(name, f"duplicate locale codes in {','.join(codes)}")
        return codes


# Parts of keys copied from examples and templates: a key containing one was never generated.
PLACEHOLDER_KEYS = (
    "django-insecure",
    "insecure",
    "changeme",
    "change-me",
    "change_me",
    "replaceme",
    "replace-me",
    "placeholder",
    "your-secret",
    "notasecret",
    "not-a-secret",
)
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 10
SECRET_KEY_MIN_BITS = 128


def secret_key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions, tokens and links, or None.

    Length alone lets through "k" * 60 or a repeated phrase. The estimate of entropy is the
    Shannon entropy of the key's own characters times its length: a generated key (``make run``,
    ``secrets.token_urlsafe(50)``) has about 300 bits, far above the 128 asked for.
    """
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"must be at least {SECRET_KEY_MIN_LENGTH} characters long"
    lowered = key.lower()
    for word in PLACEHOLDER_KEYS:
        if word in lowered:
            return f"contains the placeholder {word!r}: generate a key, e.g. with {GENERATE_KEY}"
    counts = Counter(key)
    if len(counts) < SECRET_KEY_MIN_DISTINCT:
        return f"has only {len(counts)} different characters (at least {SECRET_KEY_MIN_DISTINCT}); use {GENERATE_KEY}"
    character, count = counts.most_common(1)[0]
    if count * 2 > len(key):
        return f"is mostly one character ({character!r} {count} times of {len(key)}); use {GENERATE_KEY}"
    if len(zlib.compress(key.encode())) * 2 < len(key.encode()):
        return f"repeats a pattern (it compresses to less than half); use {GENERATE_KEY}"
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < SECRET_KEY_MIN_BITS:
        return (
            f"is too predictable (about {bits:.0f} bits of entropy, at least {SECRET_KEY_MIN_BITS}); use {GENERATE_KEY}"
        )
    return None


GENERATE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def redis_url(env: Env) -> str:
    """REDIS_URL, the shared cache of several app servers: redis:// or rediss://, a host, a port and a
    database number if given; empty = no shared cache. Errors never repeat the URL: it may hold a password.
    """
    url = env.str("REDIS_URL")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise env.fail("REDIS_URL", f"scheme must be redis or rediss, got {parts.scheme or 'none'!r}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or port == 0:
        raise env.fail(
            "REDIS_URL", "expected redis://[:PASSWORD@]HOST[:PORT][/DB] with a host and a port from 1 to 65535"
        )
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise env.fail("REDIS_URL", f"the path must be a database number such as /0, got {database!r}")
    return url


def database_config(env: Env, default_sqlite: Path) -> dict[str, Any]:
    """Turn DATABASE_URL into Django's DATABASES['default']; SQLite under var/ when unset."""
    url = env.url("DATABASE_URL", {"sqlite", "postgres", "postgresql"})
    conn_max_age = env.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite,
            # WAL with synchronous=NORMAL (SQLite's advice for WAL): a commit no longer waits for the
            # disk (2 ms each, an import commits per case); the file stays consistent after a crash,
            # a power cut may lose the last commits. Production runs PostgreSQL (docs/operations.md).
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
            # Kept open like PostgreSQL's: opening a file and setting WAL cost more than a small query.
            "CONN_MAX_AGE": conn_max_age,
        }
    try:
        # A plain dict: Django's DATABASES entry, which the SQLite branch fills with a Path NAME too.
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except ValueError as exc:
        raise env.fail("DATABASE_URL", str(exc)) from None
    if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
        raise env.fail("DATABASE_URL", "a database name is required (postgres://user@host:port/NAME)")
    config["CONN_HEALTH_CHECKS"] = True
    return config


BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
CANNED_ACLS = {"", "public-read", "private", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control"}
# Prefixes inside the private bucket: the originals of submissions, and the Wagtail images,
# renditions and documents of submissions not yet published (submissions.storage).
PRIVATE_SUBMISSIONS_PREFIX = "submissions"
PRIVATE_UNPUBLISHED_MEDIA_PREFIX = "unpublished-media"


def object_storages(env: Env) -> dict[str, dict[str, Any]]:
    """The STORAGES entries "default" and "submissions" in S3-compatible object storage, or {} when
    OBJECT_STORAGE_URL is unset (files on local disk). docs/operations.md "Object storage".

    Two buckets: the public one is read by URL (its objects get OBJECT_STORAGE_PUBLIC_ACL, or a
    bucket policy grants anonymous GET); the private one is never read by URL, only through the
    app's staff-only views, so it must be another bucket.
    """
    endpoint = env.url("OBJECT_STORAGE_URL", {"http", "https"})
    if not endpoint:
        return {}
    buckets = {}
    for side in ("PUBLIC", "PRIVATE"):
        name = f"OBJECT_STORAGE_{side}_BUCKET"
        bucket = env.str(name)
        if not bucket:
            raise env.fail(name, "required when OBJECT_STORAGE_URL is set")
        if not BUCKET_NAME.match(bucket):
            raise env.fail(name, f"{bucket!r} is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
        buckets[side] = bucket
    if buckets["PUBLIC"] == buckets["PRIVATE"]:
        raise env.fail(
            "OBJECT_STORAGE_PRIVATE_BUCKET", "must differ from OBJECT_STORAGE_PUBLIC_BUCKET: its files are never public"
        )
    access_key, secret_key = env.str("OBJECT_STORAGE_ACCESS_KEY"), env.str("OBJECT_STORAGE_SECRET_KEY")
    if bool(access_key) != bool(secret_key):
        missing = "OBJECT_STORAGE_SECRET_KEY" if access_key else "OBJECT_STORAGE_ACCESS_KEY"
        raise env.fail(
            missing, "set both keys, or neither (then boto3 finds credentials itself, e.g. an instance role)"
        )
    acl = env.str("OBJECT_STORAGE_PUBLIC_ACL")
    if acl not in CANNED_ACLS:
        raise env.fail("OBJECT_STORAGE_PUBLIC_ACL", f"expected a canned ACL such as public-read, or empty, got {acl!r}")
    addressing = env.str("OBJECT_STORAGE_ADDRESSING", "path")
    if addressing not in {"path", "virtual"}:
        raise env.fail("OBJECT_STORAGE_ADDRESSING", f"expected path or virtual, got {addressing!r}")
    # Public URLs are made without asking the server (no request per image on a list page): the
    # CDN or custom domain when given, else the bucket's path-style URL on the endpoint.
    public_url = env.url("OBJECT_STORAGE_PUBLIC_URL", {"http", "https"}).rstrip("/")
    if not public_url:
        public_url = f"{endpoint.rstrip('/')}/{buckets['PUBLIC']}"
    public_parts = urlsplit(public_url)
    if public_parts.query or public_parts.fragment:
        raise env.fail("OBJECT_STORAGE_PUBLIC_URL", f"no query or fragment, got {public_url!r}")
    connection = {
        "endpoint_url": endpoint,
        "region_name": env.str("OBJECT_STORAGE_REGION", "us-east-1"),
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "addressing_style": addressing,
        # Names are made unique by the storage (a suffix), as on disk: never overwrite a file.
        "file_overwrite": False,
        "client_config_options": {
            "connect_timeout": env.int("OBJECT_STORAGE_CONNECT_TIMEOUT_S", 5, minimum=1, maximum=120),
            "read_timeout": env.int("OBJECT_STORAGE_READ_TIMEOUT_S", 30, minimum=1, maximum=600),
        },
    }
    public = {
        **connection,
        "bucket_name": buckets["PUBLIC"],
        "querystring_auth": False,
        "default_acl": acl or None,
        "custom_domain": public_parts.netloc + public_parts.path,
        "url_protocol": f"{public_parts.scheme}:",
    }
    private = {**connection, "bucket_name": buckets["PRIVATE"], "querystring_auth": False}
    return {
        "default": {
            "BACKEND": "submissions.object_storage.ObjectMediaStorage",
            "OPTIONS": {
                "public": public,
                "unpublished": {**private, "location": PRIVATE_UNPUBLISHED_MEDIA_PREFIX},
            },
        },
        "submissions": {
            "BACKEND": "submissions.object_storage.PrivateObjectStorage",
            "OPTIONS": {**private, "location": PRIVATE_SUBMISSIONS_PREFIX},
        },
    }


def map_tiles(env: Env) -> tuple[str, str]:
    """MAP_TILE_URL and MAP_TILE_ATTRIBUTION: the tile server the reader's map may draw on, or ("", "").

    The URL is a slippy-map template with ``{z}``, ``{x}`` and ``{y}`` (e.g.
    ``https://tiles.example.org/{z}/{x}/{y}.png``) and nothing else in braces; its terms of use
    always ask for an attribution, so the attribution is required with it.
    """
    url = env.url("MAP_TILE_URL", {"https", "http"})
    attribution = env.str("MAP_TILE_ATTRIBUTION")
    if not url:
        if attribution:
            raise env.fail("MAP_TILE_ATTRIBUTION", "set without MAP_TILE_URL")
        return "", ""
    fields = set(re.findall(r"\{([^{}]*)\}", url))
    if fields != {"z", "x", "y"} or url.count("{") != 3 or url.count("}") != 3:
        raise env.fail("MAP_TILE_URL", f"a template with {{z}}, {{x}} and {{y}} once each is required, got {url!r}")
    if not attribution:
        raise env.fail("MAP_TILE_ATTRIBUTION", "required with MAP_TILE_URL (the tile server's terms ask for it)")
    return url, attribution


def url_origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as a Content-Security-Policy source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
