"""The anti-spam checks every public HTML form shares: a honeypot, a minimum time, a single-use start.

Used by the submission form (``submissions.forms``) and the accessibility feedback form
(``manual.services.feedback``); one declaration, so both refuse bots the same way.

- a honeypot control (``website``) that people never see and bots like to fill;
- a minimum time between showing the form and posting it: a signed timestamp in the page, so
  nothing is kept on the server until the post comes (``SUBMISSIONS_FORM_MIN_SECONDS``, default 5);
- a nonce in that timestamp, used up by the first post that passes: a bot cannot fetch one form
  and post it forever.

Templates render ``HONEYPOT`` hidden and ``STARTED`` with ``started_token()`` as a hidden value.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing
from django.http import QueryDict

from core.ratelimit import counters

HONEYPOT = "website"  # a name bots like to fill
STARTED = "form_started"
MAX_FORM_AGE = 24 * 3600  # a form older than a day is shown again, freshly signed
# The salt predates this module (it was the submission form's): kept, so forms shown before a
# deploy still post after it.
_SIGNING_SALT = "submissions.form.started"


def started_token() -> str:
    return signing.dumps({"t": time.time(), "n": secrets.token_urlsafe(12)}, salt=_SIGNING_SALT)


def min_seconds() -> float:
    return float(getattr(settings, "SUBMISSIONS_FORM_MIN_SECONDS", 5))


def is_bot(data: QueryDict) -> str | None:
    """Why this post is refused as automated (honeypot, too fast, no valid timestamp, replayed), or None."""
    if data.get(HONEYPOT, "").strip():
        return "honeypot"
    try:
        token = signing.loads(data.get(STARTED, ""), salt=_SIGNING_SALT, max_age=MAX_FORM_AGE)
        started, nonce = float(token["t"]), str(token["n"])
    except (signing.BadSignature, TypeError, ValueError, KeyError):
        return "no_timestamp"
    if time.time() - started < min_seconds():
        return "too_fast"
    # Used up by the first post that passes; add() is atomic in the rate limit's shared cache (a row
    # insert in the database cache, SET NX in Redis) that every worker and node sees, so two cannot
    # both accept one token.
    if not counters(lambda cache: cache.add(f"form-start:{nonce}", 1, timeout=MAX_FORM_AGE + 60)):
        return "replayed"
    return None
