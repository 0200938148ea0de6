"""The guard of the public forms (core/formguard.py): a start token as the form page signs it."""

from __future__ import annotations

import time
from unittest import mock

from core.formguard import started_token


def started(seconds_ago: float = 60) -> str:
    """A start token as the form page signs it, shown ``seconds_ago`` (60: a person's pace)."""
    with mock.patch("core.formguard.time.time", return_value=time.time() - seconds_ago):
        return started_token()
