"""Admin registration: the taxonomies as one "Taxonomies" menu of translatable snippets, the
translators' review page ("Submit for review", machine strings reviewed), and wagtail-localize's
views that would let a page or a term go public without review, narrowed to who may (docs/roles.md)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup
from wagtail_localize.models import Translation
from wagtail_localize.views import convert as localize_convert
from wagtail_localize.views.update_translations import UpdateTranslationsForm, UpdateTranslationsView

from manual.models import EParticipationTool, GovernmentLevel, ParticipationLevel, PolicyStage, Topic
from manual.services import taxonomies, translation_editor, translations
from manual.services.translation_status import status_report

TERM_TRANSLATION_SAVED = _(
    "Your translation of this term is saved. It becomes public with the reviewed translation of a case "
    "that uses the term."
)


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
    menu_label = "Taxonomies"
    menu_icon = "tag"
    menu_order = 300
    items = (
        _viewset(Topic, "tag"),
        _viewset(EParticipationTool, "cogs"),
        _viewset(ParticipationLevel, "group"),
        _viewset(GovernmentLevel, "site"),
        _viewset(PolicyStage, "list-ol"),
    )


register_snippet(TaxonomyGroup)


# --- Translation review (manual.services.translations, docs/translations.md) ----------------------


# Views stay thin: they check the right to edit the target page (translators have it, never the
# right to publish), call the service and report. ``review`` (GET) shows the state and the forms;
# the actions are POST only.


def _translation_for(request, translation_id: int) -> Translation:
    translation = get_object_or_404(
        Translation.objects.select_related("source", "target_locale"), pk=translation_id, enabled=True
    )
    if not translations.user_can_edit_target(request.user, translation):
        raise PermissionDenied
    return translation


def _back(request, translation: Translation):
    return redirect(
        get_valid_next_url_from_request(request) or reverse("manual_translations:review", args=[translation.pk])
    )


@require_GET
def review(request, translation_id: int):
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
def mark_machine_strings_reviewed(request, translation_id: int):
    translation = _translation_for(request, translation_id)
    count = translations.mark_machine_strings_reviewed(translation, request.user)
    messages.success(request, f"{count} machine-translated string(s) marked reviewed.")
    return _back(request, translation)


@require_POST
def submit_for_review(request, translation_id: int):
    translation = _translation_for(request, translation_id)
    try:
        translations.submit_translation_for_review(translation, request.user)
    except translations.TranslationRefused as refused:
        messages.error(request, refused.message)
        return _back(request, translation)
    messages.success(request, "The translation was submitted for review.")
    return _back(request, translation)


@require_GET
def translation_report(request):
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


REPORT_PAGE_SIZE = 100

TRANSLATION_URLS = [
    path("report/", translation_report, name="report"),
    path("<int:translation_id>/", review, name="review"),
    path("<int:translation_id>/mark-machine-reviewed/", mark_machine_strings_reviewed, name="mark_machine_reviewed"),
    path("<int:translation_id>/submit-for-review/", submit_for_review, name="submit_for_review"),
]


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


def convert_to_alias(request, page_id: int):
    """wagtail-localize's "Convert to alias page" for users who may publish the page only.

    Converting makes the translated page a live copy of its source at once, without review
    (manual.services.translation_editor).
    """
    page = get_object_or_404(Page, pk=page_id)
    if not translation_editor.may_convert_to_alias(request.user, page):
        raise PermissionDenied
    return localize_convert.convert_to_alias(request, page_id)


@hooks.register("register_admin_urls")
def register_translation_review_urls():
    return [
        path("manual/translations/", include((TRANSLATION_URLS, "manual_translations"))),
        # Both shadow wagtail-localize's view at the same path: matched first ("manual" precedes it
        # in INSTALLED_APPS), so that its links and reverse("wagtail_localize:...") reach them.
        path(
            "localize/page/<int:page_id>/convert_to_alias/",
            convert_to_alias,
            name="manual_convert_to_alias",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            SyncTranslationsView.as_view(),
            name="manual_sync_translations",
        ),
    ]


@hooks.register("construct_page_action_menu")
def hide_convert_to_alias(menu_items, request, context):
    """The page editor's "Convert to alias page" (a translation no longer synchronised): publishers only."""
    page = context.get("page")
    if page is not None and not translation_editor.may_convert_to_alias(request.user, page):
        menu_items[:] = [item for item in menu_items if item.name != "localize-convert-to-alias"]


@hooks.register("register_page_header_buttons")
def translation_review_button(page, user, view_name=None, next_url=None):
    """On a translated page: a link to its review page ("Submit for review", machine strings)."""
    translation = (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
        )
        .only("pk")
        .first()
    )
    if translation is not None and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Submit translation for review"),
            reverse("manual_translations:review", args=[translation.pk]),
            priority=55,
            icon_name="tasks",
        )


@hooks.register("register_reports_menu_item")
def register_translation_report_menu_item():
    return MenuItem(
        _("Translations missing or outdated"), reverse("manual_translations:report"), icon_name="tasks", order=700
    )
