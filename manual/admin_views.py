"""The manual's admin views (Wagtail), registered by ``manual.wagtail_hooks``.

- The taxonomies as snippets, whose plain edit form is the editors' (``TaxonomyEditView``).
- The translators' review page of a translation: "Submit for review", machine strings reviewed
  (``review`` and its POST actions), and the report of pages missing or outdated
  (``translation_report``); views stay thin: they check the right to edit the target page
  (translators have it, never the right to publish), call ``manual.services.translations`` or
  ``manual.services.translation_status`` and report. ``review`` (GET) shows the state and the
  forms; the actions are POST only.
- wagtail-localize's views that would let a page go public without review, narrowed to who may
  (``SyncTranslationsView``, ``convert_to_alias``; docs/roles.md, docs/translations.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup
from wagtail_localize.models import Translation
from wagtail_localize.views import convert as localize_convert
from wagtail_localize.views.update_translations import UpdateTranslationsForm, UpdateTranslationsView

from manual.models import GlossaryConcept
from manual.services import taxonomies, translation_editor, translations
from manual.services.translation_status import status_report
from manual.taxonomy_registry import taxonomy_kinds

TERM_TRANSLATION_SAVED = _(
    "Your translation of this term is saved. It becomes public with the reviewed translation of a case "
    "that uses the term."
)

# --- Taxonomies ------------------------------------------------------------------------------------


class TaxonomyEditView(EditView):
    """The plain edit form of a term is the editors'; translators translate in the translation editor.

    wagtail-localize's ``before_edit_snippet`` hook answers with its translation editor for a row
    that is the target of a synchronised translation; any other row (the default locale's, or a
    translation no longer synchronised) is refused to those who may not edit terms directly.
    """

    def run_before_hook(self):
        may_edit = taxonomies.may_edit_terms_directly(self.request.user, self.model)
        if not may_edit and self.request.method == "POST" and self.request.POST.get("action") == "publish":
            # A term has no drafts: wagtail-localize's "Publish" would put the label live at once.
            # The translator's strings are saved already; they go live with the reviewed
            # translation of a case that uses the term (translations.publish_reviewed_term_translations).
            messages.success(self.request, TERM_TRANSLATION_SAVED)
            return redirect(self.request.get_full_path())
        response = super().run_before_hook()
        if response is None and not may_edit:
            raise PermissionDenied
        return response


class TaxonomyViewSet(SnippetViewSet):
    edit_view_class = TaxonomyEditView
    list_display = ["label", "code", "locale"]
    list_filter = ["locale"]
    search_fields = ["label", "code"]
    ordering = ["sort_order", "code"]


def _viewset(taxonomy_model, icon_name: str) -> type[TaxonomyViewSet]:
    return type(f"{taxonomy_model.__name__}ViewSet", (TaxonomyViewSet,), {"model": taxonomy_model, "icon": icon_name})


class TaxonomyGroup(SnippetViewSetGroup):
    """The taxonomies as one "Taxonomies" menu of translatable snippets."""

    menu_label = "Taxonomies"
    menu_icon = "tag"
    menu_order = 300
    items = tuple(_viewset(kind.model, kind.icon) for kind in taxonomy_kinds())


# --- Glossary (manual.services.glossary, docs/search.md "Glossary") ------------------------------


def _terms_summary(concept: GlossaryConcept) -> str:
    return "; ".join(f"{term.locale}: {term.text}" for term in concept.terms.all())


class GlossaryConceptViewSet(SnippetViewSet):
    """The concepts translators and editors maintain (docs/roles.md); search uses a change at once."""

    model = GlossaryConcept
    icon = "openquote"
    menu_label = _("Search glossary")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", Column("terms", label=_("Terms"), accessor=_terms_summary)]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest):
        return GlossaryConcept.objects.prefetch_related("terms")


# --- Translation review (manual.services.translations, docs/translations.md) ----------------------


def _translation_for(request: HttpRequest, translation_id: int) -> Translation:
    translation = get_object_or_404(
        Translation.objects.select_related("source", "target_locale"), pk=translation_id, enabled=True
    )
    if not translations.user_can_edit_target(request.user, translation):
        raise PermissionDenied
    return translation


def _back(request: HttpRequest, translation: Translation) -> HttpResponse:
    return redirect(
        get_valid_next_url_from_request(request) or reverse("manual_translations:review", args=[translation.pk])
    )


@require_GET
def review(request: HttpRequest, translation_id: int) -> HttpResponse:
    translation = _translation_for(request, translation_id)
    page = translation.get_target_instance()
    context = {
        "translation": translation,
        "page": page,
        "missing": translations.missing_segments(translation).count(),
        "unreviewed": translations.unreviewed_machine_strings(translation).count(),
        "outdated": list(translations.outdated_strings(translation)),
        "in_review": page.workflow_in_progress,
    }
    return TemplateResponse(request, "manual/admin/translation_review.html", context)


@require_POST
def mark_machine_strings_reviewed(request: HttpRequest, translation_id: int) -> HttpResponse:
    translation = _translation_for(request, translation_id)
    count = translations.mark_machine_strings_reviewed(translation, request.user)
    messages.success(request, f"{count} machine-translated string(s) marked reviewed.")
    return _back(request, translation)


@require_POST
def submit_for_review(request: HttpRequest, translation_id: int) -> HttpResponse:
    translation = _translation_for(request, translation_id)
    try:
        translations.submit_translation_for_review(translation, request.user)
    except translations.TranslationRefused as refused:
        messages.error(request, refused.message)
        return _back(request, translation)
    messages.success(request, "The translation was submitted for review.")
    return _back(request, translation)


REPORT_PAGE_SIZE = 100


@require_GET
def translation_report(request: HttpRequest) -> HttpResponse:
    """Admin report: pages missing or outdated per locale (the status API's data, 100 per page)."""
    try:
        page_number = max(int(request.GET.get("p", 1)), 1)
    except ValueError:
        page_number = 1
    report = status_report(None, None, page_number, REPORT_PAGE_SIZE, needing_work=True)
    rows = report["results"]
    context = {
        "rows": rows,
        "locales": sorted({code for row in rows for code in row["locales"]}),
        "page_number": page_number,
        "has_next": page_number * REPORT_PAGE_SIZE < report["count"],
    }
    return TemplateResponse(request, "manual/admin/translation_report.html", context)


TRANSLATION_URLS = [
    path("report/", translation_report, name="report"),
    path("<int:translation_id>/", review, name="review"),
    path("<int:translation_id>/mark-machine-reviewed/", mark_machine_strings_reviewed, name="mark_machine_reviewed"),
    path("<int:translation_id>/submit-for-review/", submit_for_review, name="submit_for_review"),
]


# --- wagtail-localize's views, narrowed (docs/roles.md) --------------------------------------------


class SyncWithoutPublishingForm(UpdateTranslationsForm):
    """wagtail-localize's "Sync translated pages" form without its "Publish immediately" box.

    Publishing on sync puts the source-language text of every changed string live in the
    translated pages (DESIGN.md "Known traps") and skips "Editorial review": synced translations
    are published only after a translator updates them and a moderator approves.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["publish_translations"]

    def clean(self) -> dict:
        cleaned_data = super().clean()
        cleaned_data["publish_translations"] = False
        return cleaned_data


class SyncTranslationsView(UpdateTranslationsView):
    def get_form(self) -> SyncWithoutPublishingForm:
        return SyncWithoutPublishingForm(self.request.POST if self.request.method == "POST" else None)


def convert_to_alias(request: HttpRequest, page_id: int) -> HttpResponse:
    """wagtail-localize's "Convert to alias page" for users who may publish the page only.

    Converting makes the translated page a live copy of its source at once, without review
    (manual.services.translation_editor).
    """
    page = get_object_or_404(Page, pk=page_id)
    if not translation_editor.may_convert_to_alias(request.user, page):
        raise PermissionDenied
    return localize_convert.convert_to_alias(request, page_id)
