"""HTML pages of submissions: the form at ``/<locale>/submit/``, the submitter's status page, and
the edit page of a submission sent back for changes (``/<locale>/submit/<id>/edit/?token=...``);
and, for staff, the files of submissions not yet published (``/unpublished-media/...``).

Thin views: the form's fields become the API's document (``forms.build_document``) and go through
``services.intake.submit`` like any submission (rate limit, the CAPTCHA of the form's channel, the
one validator, storage, conversion). The honeypot and the minimum time are checked first, for the
form only; a post they refuse stores nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.api_errors import NotFound
from core.formguard import is_bot
from submissions.forms import (
    SubmissionForm,
    build_document,
    build_edit_document,
    initial_data,
    uploaded_parts,
)
from submissions.models import Submission, SubmissionStatus, SubmitterContact
from submissions.services import intake, media, resubmit, review, status
from submissions.services.captcha import captcha_csp_sources, captcha_widget
from submissions.services.validate import FieldError, SubmissionInvalid

logger = logging.getLogger(__name__)


def _render_form(request: HttpRequest, form: SubmissionForm, code: int = 200) -> HttpResponse:
    context = {"form": form, "captcha_html": captcha_widget(request)}
    response = render(request, "submissions/form.html", context, status=code)
    add_never_cache_headers(response)  # the form carries a fresh signed timestamp and a CSRF token
    if sources := captcha_csp_sources():
        # django-csp's per-response addition (what @csp_update sets): an attribute django-csp reads
        # from the response, which Django's HttpResponse does not declare.
        response._csp_update = dict(sources)  # type: ignore[attr-defined]
    return response


def _rate_limited(request: HttpRequest, language: str, exc: intake.RateLimited) -> HttpResponse:
    # The form is shown again with what was typed: CSRF protection has read the posted fields anyway.
    message = _("Too many cases were sent from your address; please try again in an hour.")
    response = _render_form(request, SubmissionForm(language, request.POST, [FieldError(None, "rate", message)]), 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def submit_form(request: HttpRequest) -> HttpResponse:
    language = get_language()
    if request.method == "GET":
        return _render_form(request, SubmissionForm(language))

    try:
        # Counted before the form is judged, like the API's attempts (services.intake.admit).
        admitted = intake.admit(request)
    except intake.RateLimited as exc:
        return _rate_limited(request, language, exc)

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
        result = intake.submit(incoming, admitted, channel=intake.Channel.FORM, request=request)
    except SubmissionInvalid as exc:
        return _render_form(request, SubmissionForm(language, request.POST, exc.errors), 400)
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
    # The URL holds the secret token. The page has no form, so the strictest policy costs nothing
    # here, unlike on the edit page (EDIT_PAGE_REFERRER_POLICY).
    response["Referrer-Policy"] = "no-referrer"
    return response


def _edit_context(submission: Submission) -> dict[str, Any]:
    return {
        "submission": submission,
        "reason": review.changes_reason(submission),
        "stored_attachments": resubmit.stored_attachments(submission),
        "expires": submission.edit_token_expires_at,
    }


# The edit page's URL holds the secret edit token, and its form posts back to that URL. ``no-referrer``
# would keep the token from every referrer but also makes browsers send ``Origin: null`` with the
# post (Fetch standard), which Django's CSRF check refuses (403 "Origin checking failed - null").
# ``same-origin`` sends the referrer, and a real Origin, to this site only: the token reaches nobody
# who does not already see it in the request line, and no other site ever. Moving the token into the
# session after the first GET was the other way; it was not taken because the session table would
# then hold the token itself (the database keeps only hashes of tokens), the first GET would still
# carry it in its URL, and the edit link would depend on a session outliving the link's 30 days.
EDIT_PAGE_REFERRER_POLICY = "same-origin"


def _render_edit(request: HttpRequest, submission: Submission, form: SubmissionForm, code: int = 200) -> HttpResponse:
    response = render(
        request, "submissions/form.html", {"form": form, "editing": _edit_context(submission)}, status=code
    )
    add_never_cache_headers(response)
    response["Referrer-Policy"] = EDIT_PAGE_REFERRER_POLICY
    return response


def _edit_refused(request: HttpRequest, problem: review.EditLinkInvalid) -> HttpResponse:
    if problem.found:
        message = _("This edit link can no longer be used: it has expired, or the submission was sent again.")
        code = 403
    else:
        message = _("No submission with this id and token.")
        code = 404
    response = render(request, "submissions/edit_unavailable.html", {"message": message}, status=code)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def edit_submission(request: HttpRequest, submission_id: Any) -> HttpResponse:
    """The form, filled with what the submitter sent, to correct a submission sent back for changes."""
    token = request.GET.get("token")
    try:
        submission = review.find_for_edit_token(str(submission_id), token)
    except review.EditLinkInvalid as problem:
        return _edit_refused(request, problem)
    language = get_language()
    if request.method == "GET":
        contact = SubmitterContact.objects.filter(submission=submission).first()
        return _render_edit(request, submission, SubmissionForm(language, initial_data(submission.payload, contact)))

    refused = is_bot(request.POST)
    if refused:
        logger.info("form resubmission refused", extra={"reason": refused})
        message = _("Your case was not sent. Please take a moment to check the form, then send it again.")
        form = SubmissionForm(language, request.POST, [FieldError(None, "refused", message)])
        return _render_edit(request, submission, form, 400)
    try:
        attachments, body_docx = uploaded_parts(request.FILES)
        resubmit.resubmit(
            str(submission.pk),
            token,
            build_edit_document(request.POST, submission.payload),
            attachments,
            body_docx,
        )
    except review.EditLinkInvalid as problem:
        return _edit_refused(request, problem)
    except SubmissionInvalid as exc:
        return _render_edit(request, submission, SubmissionForm(language, request.POST, exc.errors), 400)
    return render_resubmitted(request, submission)


def render_resubmitted(request: HttpRequest, submission: Submission) -> HttpResponse:
    response = render(request, "submissions/resubmitted.html", {"submission": submission})
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


def unpublished_file(request: HttpRequest, name: str) -> FileResponse:
    """An image (or rendition) of a submission not yet published: to Editors, Moderators and
    superusers only; 404 to anyone else, so a stranger learns nothing (services.media)."""
    try:
        handle, content_type = media.open_unpublished(request.user, name)
    except media.FileNotVisible:
        raise Http404("No such file.") from None
    response = FileResponse(handle, content_type=content_type)
    # Only images are shown in the page; anything else is downloaded, never rendered by the browser.
    if not content_type.startswith("image/"):
        response["Content-Disposition"] = "attachment"
    response["Cache-Control"] = "private, no-store"  # a shared cache must never keep it
    return response
