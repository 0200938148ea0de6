"""Accessibility feedback (Web Accessibility Directive, art. 7(1)(b)): the form and its e-mail.

A visitor reports content they could not use, or asks for it in an accessible form. Nothing is
stored: the message goes by e-mail to ``ACCESSIBILITY_FEEDBACK_EMAIL`` and is handled there.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _


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


def send_feedback(data: dict[str, str], language: str) -> None:
    """E-mail a validated feedback to the accessibility contact; a reply goes to the visitor."""
    name = data.get("name") or "-"
    email = data.get("email") or ""
    body = "\n".join(
        [
            f"Name: {name}",
            f"E-mail: {email or '-'}",
            f"Page: {data.get('page_url') or '-'}",
            f"Language: {language}",
            "",
            data["message"],
        ]
    )
    EmailMessage(
        subject="[eParticipation Manual] Accessibility feedback",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.ACCESSIBILITY_FEEDBACK_EMAIL],
        reply_to=[email] if email else None,
    ).send()
