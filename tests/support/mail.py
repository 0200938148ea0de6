"""The e-mails a test sent (Django's locmem backend, tests/settings.py)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail


def sent_to(address: str) -> list:
    """The messages sent to ``address`` alone."""
    return [message for message in mail.outbox if message.to == [address]]


def edit_link(message) -> tuple[str, str]:
    """The path and the token of the edit link a submitter is sent with a request for changes."""
    url = re.search(r"https?://\S+/edit/\?token=\S+", message.body).group(0)
    parts = urlsplit(url)
    return parts.path, parts.query.split("=", 1)[1]
