"""Secrets that travel in URLs never reach a log line (docs/operations.md "Threats and limits").

A submission's status link, the edit link of "changes requested" and a headless preview carry a
secret ``token`` in their query string; Wagtail's password reset carries one in its path. Whoever
reads such a URL in a log can read the submission, change it or see an unpublished draft, so every
log writer (the app's JSON log, gunicorn's access and error logs, Django's error reports) passes
its text through :func:`redact`. The names are declared once, here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

# Query parameters whose value is a secret. "token" is the status, edit and preview token alike.
SENSITIVE_PARAMETERS: tuple[str, ...] = ("token", "edit_token", "status_token", "preview_token")
MARK = "[redacted]"

_names = "|".join(re.escape(name) for name in sorted(SENSITIVE_PARAMETERS, key=len, reverse=True))
# "name=value" at the start of a query string, after ?, &, ; or a space, quote or slash, and the
# percent-encoded forms found in an encoded URL inside another one (a ?next= or a Referer):
# %3F = "?", %26 = "&", %3D = "=". The value runs to the next separator; "%xx" escapes inside it
# (a preview token is "id%3D5%3A...") belong to it, except an encoded "&" or "#".
_PARAMETER = re.compile(
    rf"(?P<before>^|[?&;\s\"'/,]|%3[fF]|%26)(?P<name>{_names})(?P<eq>=|%3[dD])"
    r"(?P<value>(?:[^&#\s\"'<>;,%\\]|%(?!26|23)[0-9A-Fa-f]{2})*)",
    re.IGNORECASE,
)
# Django's password reset link (Wagtail's admin uses it): /password_reset/confirm/<uidb64>/<token>/.
# "set-password" is the placeholder Django redirects to once the token is in the session.
_RESET_PATH = re.compile(r"(?P<before>/password_reset/confirm/[^/\s?#]+/)(?!set-password/)(?P<value>[^/\s?#\"']+)")


def redact(text: str) -> str:
    """``text`` with the value of every secret URL parameter replaced by ``[redacted]``."""
    if not text:
        return text
    text = _PARAMETER.sub(lambda match: f"{match['before']}{match['name']}{match['eq']}{MARK}", text)
    return _RESET_PATH.sub(lambda match: f"{match['before']}{MARK}", text)


def is_sensitive_name(name: str) -> bool:
    return name.lower() in SENSITIVE_PARAMETERS


def redact_items(items: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Query parameters as (name, value) pairs, with the secret ones' values hidden."""
    return [(name, MARK if is_sensitive_name(name) else value) for name, value in items]


class RedactFilter(logging.Filter):
    """A logging filter that redacts a record's message, arguments, traceback and extra fields.

    Installed on the app's log handler (settings.LOGGING) and on gunicorn's loggers, so a record is
    redacted whoever formats it. The formatted message replaces ``msg``/``args``: arguments such as
    a request object only show their secret once formatted.
    """

    _reserved = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message: keep both, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key, value in list(record.__dict__.items()):
            if key not in self._reserved and isinstance(value, str):
                setattr(record, key, redact(value))
        return True
