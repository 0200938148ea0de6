"""The accessibility feedback form against abuse: rate limit, honeypot, minimum time, single use, SMTP outage.

The form sends mail to a person, so a bot that could post it freely would flood that mailbox; and
a visitor's report must not be lost, or answered with a 500, when the mail server is down.
"""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from core import ratelimit
from manual.models import AccessibilityFeedback
from submissions.services.intake import RateLimited, admit
from tests.support.forms import started

pytestmark = pytest.mark.django_db

FORM = "/en/accessibility/feedback/"
THANKS = "/en/accessibility/feedback/thanks/"


def feedback(**overrides) -> dict:
    data = {
        "name": "Anna",
        "email": "anna@example.org",
        "message": "The contrast of the button is too low.",
        "page_url": "/en/",
        "website": "",
        "form_started": started(),
    }
    data.update(overrides)
    return data


def post(client, data: dict, capture, **extra):
    with capture(execute=True):
        return client.post(FORM, data, **extra)


class FailingSMTPBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPException("mail server unavailable")


def test_the_form_carries_the_start_token_and_the_honeypot(client):
    response = client.get(FORM)
    html = response.content.decode()
    assert 'name="form_started"' in html and 'name="website"' in html
    assert "no-cache" in response["Cache-Control"], "a cached page would hand out one token to everyone"


def test_a_person_is_thanked_and_the_mail_sent_and_nothing_kept(client, django_capture_on_commit_callbacks):
    response = post(client, feedback(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == THANKS
    assert len(mail.outbox) == 1 and "contrast of the button" in mail.outbox[0].body
    assert not AccessibilityFeedback.objects.exists(), "the message is kept only until it is sent"


@pytest.mark.parametrize(
    "overrides",
    [{"website": "https://spam.example"}, {"form_started": "forged"}, {"form_started": ""}, "too-fast"],
    ids=["honeypot", "forged-timestamp", "no-timestamp", "too-fast"],
)
def test_bots_are_refused_and_nothing_is_sent(client, django_capture_on_commit_callbacks, overrides):
    if overrides == "too-fast":
        overrides = {"form_started": started(seconds_ago=1)}
    response = post(client, feedback(**overrides), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your message was not sent." in html
    assert "contrast of the button" in html, "what the visitor typed comes back"
    assert mail.outbox == [] and not AccessibilityFeedback.objects.exists()


def test_a_start_token_is_used_up_by_its_first_post(client, django_capture_on_commit_callbacks):
    data = feedback()
    assert post(client, data, django_capture_on_commit_callbacks).status_code == 302
    replay = post(client, data, django_capture_on_commit_callbacks)
    assert replay.status_code == 400 and "Your message was not sent." in replay.content.decode()
    assert len(mail.outbox) == 1


@override_settings(ACCESSIBILITY_FEEDBACK_RATE_LIMIT=2)
def test_one_address_is_limited_per_hour_and_another_is_not(client, django_capture_on_commit_callbacks):
    for _ in range(2):
        assert post(client, feedback(), django_capture_on_commit_callbacks).status_code == 302
    refused = post(client, feedback(), django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 2 * 3600  # a sliding hour: at most into the next one
    assert "Too many messages were sent from your address" in refused.content.decode()
    assert len(mail.outbox) == 2
    other = post(client, feedback(), django_capture_on_commit_callbacks, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


@override_settings(ACCESSIBILITY_FEEDBACK_RATE_LIMIT=1, SUBMISSIONS_RATE_LIMIT=1)
def test_the_feedback_budget_is_its_own(client, django_capture_on_commit_callbacks):
    """A visitor who used up the case submissions' budget can still report a barrier."""
    request = mock.Mock(META={"REMOTE_ADDR": "127.0.0.1"})
    admit(request)
    with pytest.raises(RateLimited):
        admit(request)
    assert ratelimit.client_address(request) == "127.0.0.1"
    assert post(client, feedback(), django_capture_on_commit_callbacks).status_code == 302


def test_a_mail_server_outage_keeps_the_message_and_thanks_the_visitor(client, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND="tests.test_accessibility_feedback_abuse.FailingSMTPBackend"):
        response = post(client, feedback(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == THANKS
    kept = AccessibilityFeedback.objects.get()
    assert kept.message == "The contrast of the button is too low." and kept.email == "anna@example.org"
    assert kept.attempts == 1 and kept.last_error == "SMTPException"
    assert mail.outbox == []

    # The server is back: the command sends what was kept, once.
    call_command("send_accessibility_feedback", stdout=mock.Mock())
    assert len(mail.outbox) == 1 and mail.outbox[0].reply_to == ["anna@example.org"]
    assert "contrast of the button" in mail.outbox[0].body
    assert not AccessibilityFeedback.objects.exists()
    call_command("send_accessibility_feedback", stdout=mock.Mock())
    assert len(mail.outbox) == 1


def test_the_command_fails_loudly_while_the_server_is_still_down(client, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND="tests.test_accessibility_feedback_abuse.FailingSMTPBackend"):
        post(client, feedback(), django_capture_on_commit_callbacks)
        with pytest.raises(CommandError, match="1 feedback message"):
            call_command("send_accessibility_feedback", stdout=mock.Mock())
    assert AccessibilityFeedback.objects.get().attempts == 2
