"""The search engine of the test run (scripts/with-search-engine.sh starts one)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def engine_url() -> str:
    """The engine's address; without one the test is skipped, or fails under CI=true."""
    url = settings.SEARCH_ENGINE_TEST_URL
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no search engine: run the suite through scripts/with-search-engine.sh")
        pytest.skip("no search engine (SEARCH_URL unset); `make test` starts one")
    return url
