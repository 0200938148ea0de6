"""Accessibility feedback (Web Accessibility Directive, art. 7(1)(b)): the form and its e-mail.

A visitor reports content they could not use, or asks for it in an accessible form. The message
goes by e-mail to ``ACCESSIBILITY_FEEDBACK_EMAIL`` and is handled there.

A public form that sends mail is a spam relay to the accessibility contact, so it has the defences
of the submission form: the per-client rate limit (its own budget, ``ACCESSIBILITY_FEEDBACK_RATE_LIMIT``)
and the honeypot, minimum time and single-use start token of ``core.formguard``.

The mail is not sent in the request. ``receive`` stores the message (``AccessibilityFeedback``) and,
once the transaction commits, a django-tasks task sends it and deletes the row. A row rather than
a task retry: django-tasks retries nothing (the immediate backend records the failure, the database
backend marks the task failed), so only the row keeps a message through an SMTP outage; the visitor
gets the thanks page either way, and ``manage.py send_accessibility_feedback`` sends what is left.
The row lives only until the mail server took the message.
"""

from __future__ import annotations

import logging
from functools import partial

from django import forms
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core import ratelimit
from core.task_priorities import TaskPriority
from manual.models import AccessibilityFeedback

logger = logging.getLogger(__name__)

RATE_SCOPE = "feedback"  # the counters of this form in the shared rate-limit cache


class FeedbackRateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many feedback messages; retry in {retry_after} s")
        self.retry_after = retry_after


def admit(request: HttpRequest) -> None:
    """Count this post of the client; ``FeedbackRateLimited`` when its hour's budget is spent.

    Counted before the form is judged, like the submission form: a bot's refused posts count too.
    """
    decision = ratelimit.hit(
        ratelimit.client_fingerprint(request), scope=RATE_SCOPE, limit=settings.ACCESSIBILITY_FEEDBACK_RATE_LIMIT
    )
    if not decision.allowed:
        raise FeedbackRateLimited(decision.retry_after)


class AccessibilityFeedbackForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address (optional, if you want an answer)"), max_length=254, required=False
    )
    page_url = forms.CharField(label=_("Address of the page concerned (optional)"), max_length=500, required=False)
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Please describe the problem in the message field.")},
    )


def receive(data: dict[str, str], language: str) -> AccessibilityFeedback:
    """Keep a validated feedback and send it once the transaction commits (``send_stored`` in a task)."""
    feedback = AccessibilityFeedback.objects.create(
        name=data.get("name") or "",
        email=data.get("email") or "",
        page_url=data.get("page_url") or "",
        message=data["message"],
        language=language,
    )
    # robust: a task backend that cannot take the task must not turn the visitor's thanks into a
    # 500; the row is kept and the command sends it.
    transaction.on_commit(partial(_enqueue, feedback.pk), robust=True)
    return feedback


def _enqueue(feedback_id: int) -> None:
    send_feedback_task.enqueue(feedback_id)


def send_stored(feedback_id: int) -> bool:
    """E-mail one kept feedback to the accessibility contact and forget it; False when it is gone.

    On a failure of the mail server the row stays, with the attempt counted, and the error is raised
    (the task is marked failed where operators look).
    """
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.select_for_update().filter(pk=feedback_id).first()
        if feedback is None:
            return False  # sent already, by the command or an earlier task
        try:
            _message(feedback).send()
        except Exception as exc:
            AccessibilityFeedback.objects.filter(pk=feedback_id).update(
                attempts=feedback.attempts + 1, last_error=type(exc).__name__[:200]
            )
            logger.exception("accessibility feedback not sent; kept", extra={"feedback": feedback_id})
            # The update must outlive the raise: leave the block normally, then raise.
            failure = exc
        else:
            feedback.delete()
            return True
    raise failure


# The task lives beside the service it runs, so the service enqueues it without importing a tasks module.
@task(priority=TaskPriority.PERSON_WAITING)
def send_feedback_task(feedback_id: int) -> bool:
    """E-mail one kept accessibility feedback (``send_stored``, run by django-tasks); True when it went out."""
    return send_stored(feedback_id)


def send_pending() -> tuple[int, int]:
    """Send every kept feedback, oldest first: (sent, still kept)."""
    sent = failed = 0
    for feedback_id in AccessibilityFeedback.objects.values_list("pk", flat=True):
        try:
            sent += send_stored(feedback_id)
        except Exception:
            failed += 1
    return sent, failed


def _message(feedback: AccessibilityFeedback) -> EmailMessage:
    """The e-mail to the accessibility contact; a reply goes to the visitor."""
    body = "\n".join(
        [
            f"Name: {feedback.name or '-'}",
            f"E-mail: {feedback.email or '-'}",
            f"Page: {feedback.page_url or '-'}",
            f"Language: {feedback.language}",
            "",
            feedback.message,
        ]
    )
    return EmailMessage(
        subject="[eParticipation Manual] Accessibility feedback",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.ACCESSIBILITY_FEEDBACK_EMAIL],
        reply_to=[feedback.email] if feedback.email else None,
    )
