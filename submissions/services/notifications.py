"""E-mails about a submission: to its submitter and to the moderators, localized, text + HTML.

``notify(kind, submission, **context)`` is called by the services where something happens
(intake, review, resubmission). It sends nothing itself: once the surrounding transaction commits
(``transaction.on_commit``), a django-tasks task (``send_notification_task``, below)
renders and sends the message. So a refused or rolled-back change sends nothing, and with the
database task backend a slow SMTP server never holds up a request. The e-mail backend is Django's
(SMTP when ``EMAIL_HOST`` is set, the console in development, locmem in tests).

Each kind has three templates under ``templates/submissions/emails/``: ``<kind>_subject.txt``,
``<kind>.txt`` and ``<kind>.html``. The moderators' kinds go to ``review_recipients()``: the active
members of the Moderators group with an address, else the active superusers with one. Messages
to the submitter are in the submission's locale; to a moderator in their admin language when they
chose one, otherwise in the submission's locale.
``import_cases`` never calls ``notify``: the editors' trusted import sends no e-mail.

The context passed to the task may hold a secret (the status token at receipt, the edit token of
a request for changes): only the task needs it, and the database keeps its hash only. With the
database backend the task's arguments stay in its table until the results are pruned.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_countries.fields import Country
from django_tasks import task

from core.task_priorities import TaskPriority
from manual.services.review import MODERATORS
from submissions.models import Submission, SubmitterContact

logger = logging.getLogger(__name__)

SUBMITTER = "submitter"
MODERATOR = "moderators"

# kind -> who receives it
KINDS: dict[str, str] = {
    "received": SUBMITTER,
    "changes_requested": SUBMITTER,
    "published": SUBMITTER,
    "rejected": SUBMITTER,
    "moderators_new": MODERATOR,
    "moderators_resubmitted": MODERATOR,
}


def notify(kind: str, submission: Submission, **context: Any) -> None:
    """Send the ``kind`` e-mail about ``submission`` once the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification {kind!r}")
    transaction.on_commit(partial(send_notification_task.enqueue, kind, str(submission.pk), context), robust=True)


@task(priority=TaskPriority.PERSON_WAITING)
def send_notification_task(kind: str, submission_id: str, context: dict | None = None) -> int:
    """Send one kind of e-mail about a submission (``send``); returns the messages sent."""
    try:
        return send(kind, submission_id, context or {})
    except Exception:
        logger.exception("submission e-mail failed", extra={"submission": submission_id, "kind": kind})
        raise


def send(kind: str, submission_id: str, context: dict[str, Any] | None = None) -> int:
    """Render and send the ``kind`` e-mail(s) now; returns how many messages went out."""
    submission = Submission.objects.select_related("page").filter(pk=submission_id).first()
    if submission is None:
        logger.warning("e-mail about a missing submission", extra={"submission": submission_id, "kind": kind})
        return 0
    recipients = _recipients(KINDS[kind], submission)
    sent = 0
    for email, language in recipients:
        with translation.override(language):
            message = _message(kind, submission, email, dict(context or {}))
        sent += message.send()
    logger.info(
        "submission e-mail sent",
        extra={"submission": submission_id, "kind": kind, "messages": sent, "recipients": len(recipients)},
    )
    return sent


def _recipients(audience: str, submission: Submission) -> list[tuple[str, str]]:
    """(address, language) of everyone who receives the message."""
    if audience == SUBMITTER:
        contact = SubmitterContact.objects.filter(submission=submission).first()
        return [(contact.email, submission.locale)] if contact is not None and contact.email else []
    reviewers = review_recipients()
    if not reviewers:
        logger.warning(
            "no one to tell of a submission: no active moderator or superuser has an e-mail address",
            extra={"submission": str(submission.pk)},
        )
    result = []
    for user in reviewers:
        profile = getattr(user, "wagtail_userprofile", None)
        language = (getattr(profile, "preferred_language", "") or "") if profile else ""
        result.append((user.email, language or submission.locale))
    return result


def _with_address() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .select_related("wagtail_userprofile")
        .order_by("pk")
    )


def moderators_with_address() -> QuerySet:
    """Active members of the Moderators group with an e-mail address: those told of submissions."""
    return _with_address().filter(groups__name=MODERATORS).distinct()


def administrators_with_address() -> QuerySet:
    """Active superusers with an e-mail address: told of submissions when no moderator can be."""
    return _with_address().filter(is_superuser=True)


def review_recipients() -> list:
    """Who hears of a submission to review: the moderators, else the site's administrators.

    A fresh install has an empty Moderators group and its one account (``ensure_admin``) in no
    group: without the fallback the first submissions would reach nobody, and nothing unreviewed
    may wait unseen. Superusers can act on any submission (they have every permission), so they
    are the right fallback; ``submissions.W001`` (``submissions.checks``) says when it is in use.
    """
    return list(moderators_with_address()) or list(administrators_with_address())


def _absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def admin_url(submission: Submission) -> str:
    """Where a moderator looks at the submission: its draft's edit view, else the submissions admin."""
    base = settings.WAGTAILADMIN_BASE_URL
    if submission.page_id:
        return f"{base}{reverse('wagtailadmin_pages:edit', args=(submission.page_id,))}"
    for name in ("submissions:index", "submissions_admin:index", "wagtailadmin_home"):
        try:
            return f"{base}{reverse(name)}"
        except NoReverseMatch:
            continue
    return f"{base}/admin/"


def status_url(submission: Submission, token: str) -> str:
    return _absolute(f"{reverse('submissions:status', kwargs={'submission_id': str(submission.pk)})}?token={token}")


def edit_url(submission: Submission, token: str) -> str:
    return _absolute(f"{reverse('submissions:edit', kwargs={'submission_id': str(submission.pk)})}?token={token}")


def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _message(kind: str, submission: Submission, email: str, extra: dict[str, Any]) -> EmailMultiAlternatives:
    payload = submission.payload or {}
    country = payload.get("country") or ""
    context: dict[str, Any] = {
        "submission": submission,
        "title": submission.title,
        "organisation": payload.get("organisation", ""),
        "city": payload.get("city", ""),
        "country": Country(code=country).name if country else "",
        "locale_name": _language_name(submission.locale),
        "reason": extra.get("reason", ""),
        "admin_url": admin_url(submission),
        "site_url": settings.BASE_URL,
    }
    if extra.get("token"):
        token = extra["token"]
        context["status_url"] = status_url(submission, token)
        if kind == "changes_requested":
            context["edit_url"] = edit_url(submission, token)
    if extra.get("expires"):
        context["expires"] = datetime.fromisoformat(extra["expires"])
    page = submission.page
    if kind == "published" and page is not None:
        context["page_url"] = page.specific.get_full_url()
    subject = " ".join(render_to_string(f"submissions/emails/{kind}_subject.txt", context).split())
    text = render_to_string(f"submissions/emails/{kind}.txt", context)
    html = render_to_string(f"submissions/emails/{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    return message
