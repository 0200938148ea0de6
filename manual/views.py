"""Reader pages outside the page tree: the map of the cases, accessibility statement, its feedback
form, privacy notice; the sitemap's index and parts.

Views parse the request, call a service and render; the e-mail is ``manual.services.feedback``.
"""

from __future__ import annotations

import gzip
import logging
import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail_headless_preview.models import HeadlessPreviewMixin

from core.api_errors import InvalidInput
from core.formguard import is_bot, started_token
from manual.services import feedback, map_drawing, read_model, sitemap
from manual.services.case_filters import filter_keys
from manual.services.case_map import facet_form, read_case_map
from manual.services.feedback import AccessibilityFeedbackForm
from manual.services.locale_lookup import resolve_locale
from manual.services.previews import PreviewExpired, find_preview
from manual.taxonomy_registry import COUNTRY
from search.filters import clean_filters
from search.views import reader_language

logger = logging.getLogger(__name__)

# Seconds a crawler or a shared cache may keep a sitemap file without asking again (it revalidates
# cheaply: the ETag names the generation the file was built in).
SITEMAP_MAX_AGE = 300
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding

# The date this statement was prepared (WAD model statement, "Preparation of this statement").
STATEMENT_PREPARED = "2026-11-27"


def case_map(request: HttpRequest) -> HttpResponse:
    """``/<locale>/map/``: where the cases are, filtered by the search facets; 400 for a refused filter."""
    language = reader_language()
    locale = resolve_locale(language)
    errors: dict[str, str] = {}
    try:
        filters = clean_filters({key: request.GET.getlist(key) for key in filter_keys()})
    except InvalidInput as error:
        # The map of every case answers beside the message, so the form stays usable.
        errors[error.field or COUNTRY.key] = error.message
        filters = {}
    found = read_case_map(locale, filters)
    positions = {case.page.pk: case.position for case in found.cases if case.position is not None}
    drawing = map_drawing.draw(
        {country.code: country.count for country in found.countries}, positions, settings.MAP_TILE_URL
    )
    index = read_model.case_index(locale.pk)
    cases = [
        {
            "title": case.page.title,
            "url": case.page.get_url(request),
            "lang": case.page.locale.language_code if case.fallback else "",
            "country": ", ".join(COUNTRY.label(code, language) for code in sorted(case.codes[COUNTRY.key])),
            "city": case.page.city,
            "point": drawing.points.get(case.page.pk),
        }
        for case in found.cases
    ]
    context = {
        "language": language,
        "language_name": LANG_INFO.get(language, {}).get("name_local", language),
        "total": found.total,
        "cases": cases,
        "located": len(positions),
        "countries": found.countries,
        "drawing": drawing,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "steps": map_drawing.step_ranges(),
        "cases_url": index.get_url(request) if index is not None else None,
        "facets": facet_form(found),
        "errors": errors,
        "filtered": bool(filters),
        "form_id": "map",
    }
    return render(request, "manual/case_map.html", context, status=400 if errors else 200)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "manual/accessibility.html",
        {"prepared": STATEMENT_PREPARED, "feedback_email": settings.ACCESSIBILITY_FEEDBACK_EMAIL},
    )


def _render_feedback(
    request: HttpRequest, form: AccessibilityFeedbackForm, status: int = 200, refused: str = ""
) -> HttpResponse:
    context = {"form": form, "started": started_token(), "refused": refused}
    response = render(request, "manual/accessibility_feedback.html", context, status=status)
    add_never_cache_headers(response)  # the form carries a fresh single-use start token and a CSRF token
    return response


@require_http_methods(["GET", "POST"])
def accessibility_feedback(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"page_url": request.GET.get("page", "")[:500]}
        return _render_feedback(request, AccessibilityFeedbackForm(initial=initial))
    # The form comes back with what was typed whenever the message is refused.
    form = AccessibilityFeedbackForm(request.POST)
    try:
        feedback.admit(request)
    except feedback.FeedbackRateLimited as exc:
        message = _("Too many messages were sent from your address; please try again in an hour.")
        response = _render_feedback(request, form, 429, message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    reason = is_bot(request.POST)
    if reason:
        logger.info("accessibility feedback refused", extra={"reason": reason})
        message = _("Your message was not sent. Please take a moment to check the form, then send it again.")
        return _render_feedback(request, form, 400, message)
    if not form.is_valid():
        return _render_feedback(request, form, 400)
    feedback.receive(form.cleaned_data, get_language() or settings.LANGUAGE_CODE)
    # Post/redirect/get: reloading the thank-you page never sends the message twice.
    return redirect("accessibility_thanks")


def accessibility_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "manual/accessibility_thanks.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "manual/privacy.html",
        {
            "purge_days": getattr(settings, "SUBMISSIONS_PURGE_DAYS", 90),
            "contact_email": settings.ACCESSIBILITY_FEEDBACK_EMAIL,
            "consent_version": settings.SUBMISSIONS_CONSENT_VERSION,
        },
    )


def headless_preview(request: HttpRequest) -> JsonResponse:
    """The draft an external front end was asked to preview (wagtail-headless-preview).

    The admin's preview opens ``HEADLESS_PREVIEW_CLIENT_URL?content_type=...&token=...``; the front
    end asks this route for the draft with the same two parameters. The token is signed by
    Wagtail's preview and names one stored draft, so nothing else can be read through it; it works
    for HEADLESS_PREVIEW_MAX_AGE seconds (manual.services.previews).
    """
    content_type = request.GET.get("content_type", "")
    token = request.GET.get("token", "")
    try:
        app_label, model_name = content_type.split(".", 1)
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except (ValueError, ContentType.DoesNotExist):
        return JsonResponse(
            {"errors": [{"field": "content_type", "code": "invalid", "message": "Unknown content type."}]}, status=400
        )
    if model is None or not issubclass(model, HeadlessPreviewMixin):
        return JsonResponse(
            {"errors": [{"field": "content_type", "code": "invalid", "message": "Not previewable."}]}, status=400
        )
    try:
        page = find_preview(model, token)
    except PreviewExpired:
        return JsonResponse(
            {"errors": [{"field": "token", "code": "expired", "message": "This preview has expired; preview again."}]},
            status=410,
        )
    if page is None:
        return JsonResponse(
            {"errors": [{"field": "token", "code": "not_found", "message": "No such preview."}]}, status=404
        )
    response = JsonResponse(
        {"content_type": content_type, "locale": page.locale.language_code, "page": page.serializable_data()},
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response


def _sitemap_response(request: HttpRequest, built: sitemap.SitemapFile) -> HttpResponseBase:
    """A sitemap file as stored (gzipped) to clients that accept gzip, as plain XML to the others."""
    gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    body = built.gzipped if gzipped else gzip.decompress(built.gzipped)
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["ETag"] = f'W/"{built.generation}"'  # weak: the gzipped and plain bodies are the same file
    response["Cache-Control"] = f"public, max-age={SITEMAP_MAX_AGE}"
    patch_vary_headers(response, ["Accept-Encoding"])
    # Given a response, Django returns it or a 304, never None (django-stubs type it without one too).
    return get_conditional_response(request, etag=response["ETag"], response=response)  # type: ignore[return-value]


@require_http_methods(["GET", "HEAD"])
def sitemap_index(request: HttpRequest) -> HttpResponseBase:
    return _sitemap_response(request, sitemap.index())


@require_http_methods(["GET", "HEAD"])
def sitemap_part(request: HttpRequest, language_code: str, number: str | None = None) -> HttpResponseBase:
    try:
        built = sitemap.part(language_code, int(number or 1))
    except sitemap.NoSuchPart:
        raise Http404 from None
    return _sitemap_response(request, built)
