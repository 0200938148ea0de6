"""System checks of the open-data settings (run by ``manage.py check`` and at every start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from manual.models import Licence


@register()
def licence_is_known(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.OPEN_DATA_LICENCE in Licence.values:
        return []
    return [
        Error(
            f"OPEN_DATA_LICENCE: {settings.OPEN_DATA_LICENCE!r} is not one of {', '.join(Licence.values)}.",
            id="opendata.E001",
        )
    ]
