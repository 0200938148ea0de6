"""Moderators' two notes: the note to the submitter reaches them, the internal note never does.

Every surface a submitter sees is checked: the status API, the HTML status page, the edit page of a
request for changes and every e-mail sent to them. The moderators' admin shows both notes.
"""

from __future__ import annotations

import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from submissions.models import Submission, SubmissionEvent, SubmissionStatus
from submissions.services import review
from submissions.services.spam import mark_spam
from tests.support.submissions import post_json, valid_payload

pytestmark = pytest.mark.django_db

NOTE = "Please add the figures of 2023."
INTERNAL = "Probably copied from the Tallinn case; Anna knows the author."


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0


def _in_review(client, capture) -> tuple[Submission, str]:
    with capture(execute=True):
        response = post_json(client, valid_payload())
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == SubmissionStatus.IN_REVIEW
    return submission, parse_qs(urlsplit(response.json()["status_url"]).query)["token"][0]


def _what_the_submitter_sees(client, submission: Submission, token: str) -> list[str]:
    """Every text the submitter can read about the submission: API, status page, their e-mails."""
    client.logout()
    api = client.get(f"/api/v1/submissions/{submission.pk}", {"token": token})
    assert api.status_code == 200
    page = client.get(reverse("submissions:status", kwargs={"submission_id": submission.pk}), {"token": token})
    assert page.status_code == 200
    texts = [api.content.decode(), page.content.decode()]
    for message in mail.outbox:
        if message.to == ["mari@example.org"]:
            texts += [message.subject, message.body, *(html for html, _kind in message.alternatives)]
    return texts


@pytest.mark.parametrize(
    ("action", "status", "mailed"),
    [
        ("reject", SubmissionStatus.REJECTED, True),
        ("request_changes", SubmissionStatus.CHANGES_REQUESTED, True),
        ("spam", SubmissionStatus.SPAM, False),
    ],
)
def test_the_admin_s_internal_note_stays_with_staff_and_the_note_reaches_the_submitter(
    client, django_capture_on_commit_callbacks, moderator, action, status, mailed
):
    submission, token = _in_review(client, django_capture_on_commit_callbacks)
    client.force_login(moderator)
    form = client.get(reverse("submissions_admin:action", args=[submission.pk, action])).content.decode()
    assert "Note to the submitter" in form and "Internal note (staff only)" in form

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("submissions_admin:action", args=[submission.pk, action]),
            {"note": NOTE, "internal_note": INTERNAL},
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == status
    event = submission.events.last()
    assert (event.note, event.internal_note, event.actor) == (NOTE, INTERNAL, moderator)

    # The moderators' admin shows both, in their own columns.
    detail = client.get(reverse("submissions_admin:detail", args=[submission.pk])).content.decode()
    assert f'<td data-note="note">{NOTE}</td>' in detail
    assert f'<td data-note="internal_note">{INTERNAL}</td>' in detail

    seen = _what_the_submitter_sees(client, submission, token)
    assert not [text for text in seen if "Tallinn" in text], "the internal note reached the submitter"
    assert NOTE in seen[0] and NOTE in seen[1], "the note to the submitter is on the API and the status page"
    submitter_mail = [message for message in mail.outbox if message.to == ["mari@example.org"]]
    assert bool(submitter_mail) == mailed
    if mailed:
        [message] = submitter_mail
        assert NOTE in message.body


def test_request_changes_while_the_review_task_runs_keeps_the_internal_note_out_of_wagtail_and_the_edit_page(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, token = _in_review(client, django_capture_on_commit_callbacks)
    state = submission.workflow_state
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.request_changes(submission, NOTE, moderator, internal_note=INTERNAL)

    [event] = submission.events.filter(to_status=SubmissionStatus.CHANGES_REQUESTED)
    assert (event.note, event.internal_note) == (NOTE, INTERNAL)
    state.refresh_from_db()
    assert state.current_task_state.comment == NOTE, "Wagtail's comment is the submitter's note only"

    [message] = [message for message in mail.outbox if message.to == ["mari@example.org"]]
    edit_path = next(word for word in message.body.split() if "/edit/?token=" in word)
    parts = urlsplit(edit_path)
    edit_page = client.get(parts.path, parse_qs(parts.query)).content.decode()
    assert NOTE in edit_page and "Tallinn" not in edit_page
    assert not [text for text in _what_the_submitter_sees(client, submission, token) if "Tallinn" in text]


def test_reject_from_the_service_records_both_notes_and_mails_only_the_note(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, token = _in_review(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.reject_submission(submission, NOTE, moderator, internal_note=INTERNAL)
    event = submission.events.last()
    assert (event.to_status, event.note, event.internal_note) == ("rejected", NOTE, INTERNAL)
    seen = _what_the_submitter_sees(client, submission, token)
    assert any(NOTE in text for text in seen[2:]), "the rejection e-mail holds the note"
    assert not [text for text in seen if "Tallinn" in text]


def test_marking_spam_without_notes_shows_the_submitter_no_note(client, django_capture_on_commit_callbacks, moderator):
    submission, token = _in_review(client, django_capture_on_commit_callbacks)
    event = mark_spam(submission, moderator)
    assert (event.note, event.internal_note) == ("", "Marked as spam.")
    client.logout()
    history = client.get(f"/api/v1/submissions/{submission.pk}", {"token": token}).json()["history"]
    assert history[-1] == {"status": "spam", "at": history[-1]["at"], "note": ""}


def test_the_migration_turns_existing_spam_notes_into_internal_notes(client, django_capture_on_commit_callbacks):
    """Before 0005 a spam verdict was the one public note: existing ones become internal."""
    submission, _token = _in_review(client, django_capture_on_commit_callbacks)
    rejected = SubmissionEvent.objects.create(
        submission=submission, from_status="in_review", to_status="rejected", note="Out of scope."
    )
    spam = SubmissionEvent.objects.create(
        submission=submission, from_status="rejected", to_status="spam", note="Same bot as last week."
    )
    migration = importlib.import_module("submissions.migrations.0005_event_internal_note")
    migration.spam_notes_become_internal(apps, None)

    rejected.refresh_from_db()
    spam.refresh_from_db()
    assert (rejected.note, rejected.internal_note) == ("Out of scope.", ""), "reasons asked for the submitter stay"
    assert (spam.note, spam.internal_note) == ("", "Same bot as last week.")
    assert SubmissionEvent.objects.filter(to_status="received").exclude(note="").exists(), "system notes stay"
