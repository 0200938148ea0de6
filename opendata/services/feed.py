"""The Atom feed's entries: the cases a locale published last (public content only)."""

from __future__ import annotations

from wagtail.models import Locale

from manual.models import CaseStudyPage
from manual.services.read_model import latest_cases

FEED_LENGTH = 30


def newest_cases(language_code: str, count: int = FEED_LENGTH) -> list[CaseStudyPage]:
    """The cases of ``language_code`` by first publication, newest first (none for an unknown locale)."""
    locale = Locale.objects.filter(language_code=language_code).first()
    return latest_cases(locale.pk, count) if locale is not None else []
