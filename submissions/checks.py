"""System checks: submission settings that env.py cannot judge without the content model."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register()
def check_default_licence(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from manual.models import Licence

    if settings.SUBMISSIONS_DEFAULT_LICENCE not in Licence.values:
        return [
            checks.Error(
                f"SUBMISSIONS_DEFAULT_LICENCE: {settings.SUBMISSIONS_DEFAULT_LICENCE!r} is not one of "
                f"{', '.join(Licence.values)}.",
                id="submissions.E001",
            )
        ]
    return []
