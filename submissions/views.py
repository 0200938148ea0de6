"""HTML pages of submissions: the form at ``/<locale>/submit/`` and the submitter's status page.

Thin views: the form's fields become the API's document (``forms.build_document``) and go through
``services.intake.submit`` like any submission (rate limit, the one validator, storage, conversion).
The honeypot and the minimum time are checked first, for the form only; a post they refuse
stores nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from site_config.api_errors import NotFound
from submissions.forms import SubmissionForm, build_document, is_bot, uploaded_parts
from submissions.models import SubmissionStatus
from submissions.services import intake, ratelimit, status
from submissions.services.validate import FieldError, SubmissionInvalid

logger = logging.getLogger(__name__)


def _render_form(request: HttpRequest, form: SubmissionForm, code: int = 200) -> HttpResponse:
    response = render(request, "submissions/form.html", {"form": form}, status=code)
    add_never_cache_headers(response)  # the form carries a fresh signed timestamp and a CSRF token
    return response


@require_http_methods(["GET", "POST"])
def submit_form(request: HttpRequest) -> HttpResponse:
    language = get_language()
    if request.method == "GET":
        return _render_form(request, SubmissionForm(language))

    refused = is_bot(request.POST)
    if refused:
        logger.info("form submission refused", extra={"reason": refused})
        message = _("Your case was not sent. Please take a moment to check the form, then send it again.")
        return _render_form(
            request, SubmissionForm(language, request.POST, [FieldError(None, "refused", message)]), 400
        )

    try:
        attachments, body_docx = uploaded_parts(request.FILES)
        incoming = intake.SubmissionRequest(
            document=build_document(request.POST, language),
            raw_document=b"",
            fingerprint=ratelimit.client_fingerprint(request),
            attachments=attachments,
            body_docx=body_docx,
        )
        result = intake.submit(incoming, channel="form")
    except SubmissionInvalid as exc:
        return _render_form(request, SubmissionForm(language, request.POST, exc.errors), 400)
    except intake.RateLimited as exc:
        message = _("Too many cases were sent from your address; please try again in an hour.")
        response = _render_form(
            request, SubmissionForm(language, request.POST, [FieldError(None, "rate", message)]), 429
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    url = reverse("submissions:status", kwargs={"submission_id": str(result.submission.pk)})
    return HttpResponseRedirect(f"{url}?token={result.status_token}", status=303)


def submission_status(request: HttpRequest, submission_id: Any) -> HttpResponse:
    try:
        submission = status.find_for_token(str(submission_id), request.GET.get("token"))
    except NotFound:
        raise Http404(_("No submission with this id and token.")) from None
    report = status.status_report(submission, request)
    labels = dict(SubmissionStatus.choices)
    history = [{**event, "label": labels.get(event["status"], event["status"])} for event in report["history"]]
    response = render(
        request,
        "submissions/status.html",
        {"report": report, "status_label": labels.get(report["status"], report["status"]), "history": history},
    )
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"  # the URL holds the secret token
    return response
