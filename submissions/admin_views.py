"""The submissions admin (Wagtail): listing with filters, detail, staff-only downloads, actions.

Registered by ``wagtail_hooks`` as the ``SubmissionViewSet`` (menu "Submissions"). Access is the
``submissions.view_submission`` permission (listing, detail, downloads) and
``submissions.change_submission`` (actions); Editors and Moderators have both
(``services.admin_access``). Views stay thin: every action calls a service. See
docs/submissions-admin.md.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_countries import countries
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from submissions.models import Submission, SubmissionAttachment, SubmissionStatus, SubmitterContact
from submissions.services.convert import ConversionError, convert_submission
from submissions.services.duplicates import find_duplicates
from submissions.services.personal_data.erase import is_erased
from submissions.services.review import MAX_REASON_LENGTH, ReviewActionError, reject_submission, request_changes
from submissions.services.spam import mark_spam
from submissions.services.status import TransitionNotAllowed

NAME = "submissions_admin"  # the reader's URLs already use the namespace "submissions"
VIEW = "submissions.view_submission"
CHANGE = "submissions.change_submission"
permission_policy = ModelPermissionPolicy(Submission)


def _require(request: HttpRequest, permission: str) -> None:
    if not (request.user.is_authenticated and request.user.has_perm(permission)):
        raise PermissionDenied


# --- listing -------------------------------------------------------------------------------------


def _locale_choices():
    return [(code, code) for code in settings.MANUAL_LOCALES]


class SubmissionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=SubmissionStatus.choices, widget=forms.RadioSelect, empty_label=None
    )
    locale = django_filters.ChoiceFilter(
        label=gettext_lazy("Language"), choices=_locale_choices, widget=forms.RadioSelect, empty_label=None
    )
    country = django_filters.ChoiceFilter(label=gettext_lazy("Country"), choices=countries, method="filter_country")
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("Received"), widget=DateRangePickerWidget)

    class Meta:
        model = Submission
        fields = ["status", "locale", "country", "created_at"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(payload__country__iexact=value) if value else queryset


def _payload(key: str):
    return lambda submission: submission.payload.get(key) or ""


def _country(submission: Submission) -> str:
    code = str(submission.payload.get("country") or "").upper()
    return f"{countries.name(code)} ({code})" if code else ""


class SubmissionIndexView(IndexView):
    model = Submission
    permission_policy = permission_policy
    any_permission_required = ["view", "change"]
    filterset_class = SubmissionFilterSet
    search_fields = ["payload__title", "payload__organisation"]
    search_backend_name = None
    index_url_name = f"{NAME}:index"
    index_results_url_name = f"{NAME}:index_results"
    page_title = gettext_lazy("Submissions")
    header_icon = "mail"
    default_ordering = "-created_at"
    paginate_by = 50

    @property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("Title"),
                accessor=lambda submission: submission.title,
                get_url=lambda submission: reverse(f"{NAME}:detail", args=[submission.pk]),
            ),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            Column("locale", label=_("Language"), accessor="locale", sort_key="locale"),
            Column("country", label=_("Country"), accessor=_country),
            Column("organisation", label=_("Organisation"), accessor=_payload("organisation")),
            DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        ]

    def get_base_queryset(self):
        # Only what the columns show: no contact, no files (a constant number of queries).
        return Submission.objects.only("id", "status", "locale", "payload", "created_at")


# --- detail, downloads, actions ------------------------------------------------------------------


class NotesForm(forms.Form):
    """The two notes of an action: one to the submitter, one for colleagues only.

    Labels and help texts say who reads each, because a reason written for colleagues (a spam
    verdict, a doubt about the submitter) once reached the submitter's status page.
    """

    note = forms.CharField(
        label=gettext_lazy("Note to the submitter"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_REASON_LENGTH,
        required=False,
    )
    internal_note = forms.CharField(
        label=gettext_lazy("Internal note (staff only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_REASON_LENGTH,
        required=False,
        help_text=gettext_lazy(
            "Seen only by editors and moderators, in this submission's history. Never shown or sent to the submitter."
        ),
    )


# Help texts of the note to the submitter, per action: what the submitter will see, and where.
NOTE_SENT = gettext_lazy("Required. Sent to the submitter by e-mail and shown on their status page.")
NOTE_SHOWN = gettext_lazy(
    "Optional; usually left empty. Shown to the submitter on their status page (no e-mail is sent)."
)

# action -> (label, note to the submitter: None = no notes at all, else (required, help text))
ACTIONS = {
    "convert": (gettext_lazy("Convert into a draft"), None),
    "reject": (gettext_lazy("Reject"), (True, NOTE_SENT)),
    "request_changes": (gettext_lazy("Request changes"), (True, NOTE_SENT)),
    "spam": (gettext_lazy("Mark as spam"), (False, NOTE_SHOWN)),
}


def _breadcrumbs(submission: Submission | None = None):
    items = [{"url": reverse(f"{NAME}:index"), "label": _("Submissions")}]
    if submission is not None:
        items.append({"url": reverse(f"{NAME}:detail", args=[submission.pk]), "label": submission.title})
    return items


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_display(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_display(item) for item in value)
    return str(value)


def detail(request: HttpRequest, pk) -> HttpResponse:
    _require(request, VIEW)
    submission = get_object_or_404(Submission.objects.select_related("page", "updates_case"), pk=pk)
    contact = SubmitterContact.objects.filter(submission=submission).first()
    events = submission.events.select_related("actor")
    attachments = submission.attachments.all()
    fields = [(key, _display(value)) for key, value in submission.payload.items() if key != "body"]
    context = {
        "submission": submission,
        "fields": fields,
        "body": submission.payload.get("body") or {},
        "contact": contact,
        "contact_erased": is_erased(contact),
        "events": events,
        "attachments": attachments,
        "duplicates": find_duplicates(submission),
        "actions": [(name, label) for name, (label, _notes) in ACTIONS.items()],
        "can_act": request.user.has_perm(CHANGE),
        "page_title": submission.title,
        "header_icon": "mail",
        "breadcrumbs_items": None,
        "index_url": reverse(f"{NAME}:index"),
    }
    response = TemplateResponse(request, "submissions/admin/detail.html", context)
    add_never_cache_headers(response)
    return response


def download(request: HttpRequest, pk, attachment_id) -> FileResponse:
    """A private file, to staff only, always as a download (never rendered by the browser)."""
    _require(request, VIEW)
    attachment = get_object_or_404(SubmissionAttachment, pk=attachment_id, submission_id=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is no longer stored.")) from None
    extension = attachment.stored_name.rsplit(".", 1)[-1]
    name = attachment.original_name or f"attachment-{attachment.position}.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, pk, action: str) -> HttpResponse:
    _require(request, CHANGE)
    if action not in ACTIONS:
        raise Http404
    submission = get_object_or_404(Submission, pk=pk)
    label, notes = ACTIONS[action]
    note_required, note_help = notes if notes else (False, "")
    form = NotesForm(request.POST if request.method == "POST" else None)
    form.fields["note"].help_text = note_help
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"].strip() if notes else ""
        internal_note = form.cleaned_data["internal_note"].strip() if notes else ""
        if note_required and not note:
            form.add_error("note", _("Please write a note to the submitter: it says why."))
        else:
            outcome = _run(request, submission, action, note, internal_note)
            if outcome is None:
                return redirect(f"{NAME}:detail", pk=submission.pk)
            messages.error(request, outcome)
    context = {
        "submission": submission,
        "form": form,
        "action": action,
        "action_label": label,
        "has_notes": notes is not None,
        "note_required": note_required,
        "page_title": f"{label}: {submission.title}",
        "header_icon": "mail",
    }
    return TemplateResponse(request, "submissions/admin/confirm.html", context, status=200)


def _run(request: HttpRequest, submission: Submission, action: str, note: str, internal_note: str) -> str | None:
    """Do the action; None when done, else the message explaining why not."""
    user = request.user
    try:
        if action == "convert":
            if submission.status != SubmissionStatus.RECEIVED:
                return _("Only a received submission can be converted.")
            try:
                convert_submission(submission, actor=user)
            except ConversionError as exc:
                return _("The submission could not be converted: %(reason)s") % {"reason": exc}
            messages.success(request, _("The submission is now a draft in review."))
        elif action == "reject":
            reject_submission(submission, note, user, internal_note=internal_note)
            messages.success(request, _("The submission was rejected."))
        elif action == "request_changes":
            request_changes(submission, note, user, internal_note=internal_note)
            messages.success(request, _("Changes were requested from the submitter."))
        elif action == "spam":
            mark_spam(submission, user, note=note, internal_note=internal_note)
            messages.success(request, _("The submission was marked as spam."))
    except ReviewActionError as exc:
        return exc.message
    except TransitionNotAllowed:
        submission.refresh_from_db(fields=["status"])
        return _("This action is not possible while the submission is “%(status)s”.") % {
            "status": submission.get_status_display()
        }
    return None


# --- viewset -------------------------------------------------------------------------------------


class SubmissionsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW)


class SubmissionViewSet(ViewSet):
    name = NAME
    url_prefix = "submissions"
    icon = "mail"
    menu_label = gettext_lazy("Submissions")
    menu_name = "submissions"
    add_to_admin_menu = True
    menu_order = 250
    menu_item_class = SubmissionsMenuItem

    def get_urlpatterns(self):
        index = SubmissionIndexView.as_view()
        results = SubmissionIndexView.as_view(results_only=True)
        return [
            path("", index, name="index"),
            path("results/", results, name="index_results"),
            path("<uuid:pk>/", detail, name="detail"),
            path("<uuid:pk>/attachments/<uuid:attachment_id>/", download, name="download"),
            path("<uuid:pk>/<slug:action>/", act, name="action"),
        ]
