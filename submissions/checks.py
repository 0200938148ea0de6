"""System checks: submission settings that env.py cannot judge without the content model, and
whether anyone will hear of new submissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from manual.models import Licence
from manual.services.review import MODERATORS
from submissions.services.notifications import administrators_with_address, moderators_with_address


@checks.register()
def check_default_licence(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SUBMISSIONS_DEFAULT_LICENCE not in Licence.values:
        return [
            checks.Error(
                f"SUBMISSIONS_DEFAULT_LICENCE: {settings.SUBMISSIONS_DEFAULT_LICENCE!r} is not one of "
                f"{', '.join(Licence.values)}.",
                id="submissions.E001",
            )
        ]
    return []


@checks.register()
def check_reviewers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when the Moderators group has no active member with an e-mail address.

    Registered without the ``database`` tag although it reads users, so that a plain
    ``manage.py check`` (and ``migrate``, ``runserver``) shows it: an empty review queue nobody is
    told about is an installation fault an operator should see at once. Without a database, or
    before the first ``migrate``, there is nothing to judge yet.
    """
    try:
        if moderators_with_address().exists():
            return []
        administrators = list(administrators_with_address().values_list("username", flat=True))
    except DatabaseError:
        return []
    if administrators:
        fallback = (
            "E-mails about new and corrected submissions go to the active superusers instead: "
            f"{', '.join(administrators)}."
        )
    else:
        fallback = "No active superuser has an e-mail address either: nobody is told of new submissions."
    return [
        checks.Warning(
            f"The {MODERATORS!r} group has no active member with an e-mail address. {fallback}",
            hint=(
                f"In the Wagtail admin (Settings > Users), add to the {MODERATORS!r} group at least one "
                "active user with an e-mail address."
            ),
            id="submissions.W001",
        )
    ]
