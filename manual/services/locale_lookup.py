"""Which configured ``Locale`` a request names: one code, the translation targets, the locales set up.

Apart from ``manual.services.locales`` (which makes the database follow ``MANUAL_LOCALES`` and so
imports the taxonomy seeds and the review set-up): this module imports nothing of the manual, so
every service that reads in a locale can import it at module top.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from wagtail.models import Locale

from core.api_errors import InvalidInput


def resolve_locale(code: str | None, field: str = "locale") -> Locale:
    """The configured Locale for ``code`` (default locale when empty); 400 names the field otherwise."""
    if not code:
        return Locale.get_default()
    code = code.lower()
    if code not in settings.MANUAL_LOCALES:
        raise InvalidInput(
            field,
            _("Unknown locale %(code)s; configured locales: %(locales)s.")
            % {"code": repr(code), "locales": ", ".join(settings.MANUAL_LOCALES)},
            "unknown_locale",
        )
    try:
        return Locale.objects.get(language_code=code)
    except Locale.DoesNotExist:
        raise InvalidInput(
            field,
            _("Locale %(code)s is configured but not set up; run manage.py sync_locales.") % {"code": repr(code)},
            "unknown_locale",
        ) from None


def target_locales(locale_code: str | None) -> list[Locale]:
    """The locales translations go into: ``locale_code`` (validated) or every configured one but the default."""
    default = Locale.get_default()
    if locale_code:
        targets = [resolve_locale(locale_code)]
    else:
        targets = list(Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES).order_by("language_code"))
    return [locale for locale in targets if locale.pk != default.pk]


def set_up_locales() -> dict[str, Locale]:
    """The configured locales that have their Locale row, by language code (one query)."""
    return {locale.language_code: locale for locale in Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES)}
