"""Who may use the submissions admin: Editors and Moderators (view and change ``Submission``).

"change" is what the actions need (convert, reject, request changes, mark spam); "view" the
listing, the detail and the downloads. Nobody gets "add" or "delete": submissions come from the
intake only. Run after every migrate (``apps.SubmissionsConfig``); adds, removes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from manual.services.review import EDITORS, MODERATORS

GROUPS = (EDITORS, MODERATORS)
CODENAMES = ("view_submission", "change_submission")


def ensure_admin_access() -> None:
    permissions = list(Permission.objects.filter(content_type__app_label="submissions", codename__in=CODENAMES))
    if len(permissions) != len(CODENAMES):  # permissions not created yet (a partial migrate)
        return
    for name in GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def ensure_admin_access_after_migrate(sender: Any, **kwargs: Any) -> None:
    ensure_admin_access()
