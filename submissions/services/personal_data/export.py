"""Export: everything held about a submitter's e-mail address, as one JSON-serialisable document.

``manage.py submissions_personal_data export EMAIL`` writes it; docs/personal-data.md "Export".
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from manual.models import CaseStudyContact
from submissions.services.personal_data import PERSONAL_PAYLOAD_KEYS, contacts_of


def export(email: str) -> dict[str, Any]:
    """Everything held about ``email``, as a JSON-serialisable document."""
    email = email.strip()
    submissions = []
    for contact in contacts_of(email).order_by("consented_at"):
        submission = contact.submission
        personal_payload = {key: submission.payload[key] for key in PERSONAL_PAYLOAD_KEYS if key in submission.payload}
        submissions.append(
            {
                "id": str(submission.pk),
                "status": submission.status,
                "locale": submission.locale,
                "title": submission.title,
                "created_at": submission.created_at.isoformat(),
                "updated_at": submission.updated_at.isoformat(),
                "contact": {
                    "name": contact.name,
                    "email": contact.email,
                    "organisation": contact.organisation,
                    "role": contact.role,
                },
                "consent": {
                    "terms": contact.consent_terms,
                    "publish_contact": contact.consent_publish_contact,
                    "licence": contact.licence,
                    "text_version": contact.consent_text_version,
                    "given_at": contact.consented_at.isoformat(),
                },
                "payload_personal_parts": personal_payload,
                "case": submission.payload,
                "events": [
                    {
                        "from": event.from_status,
                        "to": event.to_status,
                        "at": event.created_at.isoformat(),
                        "note": event.note,
                        # Staff's note, held about this submission: part of what an access request
                        # covers; the operator decides what to hand over (docs/personal-data.md).
                        "internal_note": event.internal_note,
                    }
                    for event in submission.events.all()
                ],
                "page": submission.page_id,
            }
        )
    published = []
    for item in (
        CaseStudyContact.objects.filter(email__iexact=email).select_related("page", "page__locale").order_by("page_id")
    ):
        page = item.page
        published.append(
            {
                "page": page.pk,
                "locale": page.locale.language_code,
                "title": page.title,
                "live": page.live,
                "url": page.get_url() if page.live else None,
                "contact": {
                    "name": item.name,
                    "role": item.role,
                    "organisation": item.organisation,
                    "email": item.email,
                },
            }
        )
    return {
        "email": email,
        "generated_at": timezone.now().isoformat(),
        "submissions": submissions,
        "published_contacts": published,
    }
