"""Test settings: the production settings module, with defaults a test run needs and speed-ups.

Values come from the same environment variables; only what a bare ``pytest`` would lack is
defaulted here (a test-only SECRET_KEY, plain HTTP). ``make test`` sets DATABASE_URL to a
throwaway PostgreSQL; ``make test-quick`` leaves it unset (SQLite).
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-m8iZLaubRNlxgqG0oJBnKAaohfNU36luHyOsH2-G")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="manual-tests-"))
# The Redis of the run (scripts/with-redis.sh exports REDIS_URL) is for the app servers of
# tests/test_shared_caches.py (tests/support/shared_caches.py); the test process itself keeps the
# per-process default caches, whose state each test resets.
REDIS_TEST_URL = os.environ.pop("REDIS_URL", "")

from site_config.settings import *  # noqa: E402,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
# The search engine of the test run (scripts/with-search-engine.sh exports SEARCH_URL). Tests use
# the database driver unless a test switches the engine on, so that tests which publish pages do
# not write into the shared index; each run has its own index prefix.
SEARCH_ENGINE_TEST_URL = SEARCH_URL  # noqa: F405
SEARCH_URL = ""
SEARCH_INDEX_PREFIX = f"test{os.getpid()}"
# A test machine runs the engine, PostgreSQL, a browser and pytest on two cores: a search that waits
# 500 ms (production) for the engine would turn a busy moment into a "degraded" answer. The
# degradation tests set their own short timeout.
SEARCH_TIMEOUT = 5.0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The object storage of the test run (scripts/with-object-storage.sh exports OBJECT_STORAGE_URL and
# the buckets), like the search engine's: files stay on local disk unless a test switches the buckets
# on (tests/support/object_storage.py).
OBJECT_STORAGES_UNDER_TEST = OBJECT_STORAGES  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    **LOCAL_FILE_STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
