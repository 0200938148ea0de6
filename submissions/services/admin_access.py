"""Who may use the submissions admin: Editors and Moderators (view and change ``Submission``).

"change" is what the actions need (convert, reject, request changes, mark spam); "view" the
listing, the detail and the downloads. Nobody gets "add" or "delete": submissions come from the
intake only. The grants are part of the roles' one declaration (``manual.services.review.ROLES``,
docs/roles.md); this app asserts the roles again after its own migrations, so that a migrate that
only touches this app still leaves them as declared.
"""

from __future__ import annotations

from typing import Any

from manual.services.review import ensure_roles


def ensure_admin_access() -> None:
    ensure_roles()


def ensure_admin_access_after_migrate(sender: Any, **kwargs: Any) -> None:
    ensure_admin_access()
