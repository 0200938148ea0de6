"""Publishing a page's newest revision from the page it was just saved from.

Wagtail's ``PublishPageRevisionAction`` starts from ``revision.as_object()``: it reads the page
again, rebuilds it from the revision's JSON, and its ``save`` then rewrites every inline child row
and many-to-many link the JSON holds (a read per relation, then an UPDATE per child row: about a
third of an imported case's publication, docs/performance.md "Imports"). A page whose
``save_revision`` has just returned already *is* that object: the relations its earlier save
committed are in the database as they are in memory, and those it still holds uncommitted (a new
revision of a stored page: ``save_revision`` writes the page's own columns only) are committed by
the publication's save exactly as Wagtail's would. Everything else (the permission check, the
publication's columns, ``full_clean``, the log entries, the ``page_published`` signal, the
aliases' update) is Wagtail's action, unchanged.
"""

from __future__ import annotations

from typing import Any

from wagtail.actions.base import BaseAction
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import Page, Revision
from wagtail.permissions import policy_registry


class PublishPageInHand(PublishPageRevisionAction):
    """``page.save_revision(...)`` then this: Wagtail's ``revision.publish(...)`` without reading the
    page back. Refuses a revision that is not ``page``'s latest (the page changed since, or another
    page's revision): that one is published through Wagtail's own action."""

    def __init__(self, page: Page, revision: Revision, user: Any = None, log_action: bool = True) -> None:
        if revision.pk is None or page.latest_revision_id != revision.pk or str(revision.object_id) != str(page.pk):
            raise ValueError("PublishPageInHand publishes the revision the page in hand was just saved with")
        # PublishRevisionAction.__init__ does what follows after reading the page back.
        BaseAction.__init__(self, page, user=user)
        self.revision = revision
        self.object = page
        self.permission_policy = policy_registry.get(page)
        self.changed = True
        self.log_action = log_action
        self.previous_revision = None
