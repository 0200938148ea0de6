"""Submitters' personal data (GDPR): where it lives, and the three jobs done with it.

See docs/personal-data.md for where personal data lives. In short, a submitter's address and
name sit in ``SubmitterContact``; with ``consent.publish_contact`` they also reach the case page
(a ``CaseStudyContact`` child and the ``attribution`` text), hence the page's revisions, its
translations (wagtail-localize's source content, strings and translated strings, the translated
pages and their revisions) and the search indexes. A submitter may also have typed their address
into the case's text, so every text of these places is searched for it too.

- ``export``: everything held about an e-mail address, as one JSON document;
- ``erase``: the address, and the name and role tied to it, removed from all of these places
  (``erase`` for a person, ``erase_submission`` for one submission), and ``find_traces`` to check;
- ``retention``: ``purge`` erases rejected and spam submissions left unchanged for a number of days.

No model changes: an erased contact keeps its row (the submission keeps its consent record and
licence), with name, e-mail and role blanked; a blank e-mail is the marker "erased".
"""

from __future__ import annotations

from django.db.models import QuerySet

from submissions.models import SubmitterContact

# Keys of an old payload that held the submitter (payloads are stored without them since intake
# existed, but an import or an older version may have kept them).
PERSONAL_PAYLOAD_KEYS = ("contact", "consent")


def contacts_of(email: str) -> QuerySet[SubmitterContact]:
    """The submitter contacts with this address (any letter case), with their submissions."""
    return SubmitterContact.objects.filter(email__iexact=email.strip()).select_related("submission")
