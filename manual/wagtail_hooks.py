"""Admin registration of the manual: the taxonomies menu, the translators' review and report pages,
and wagtail-localize's views that would let a page or a term go public without review, narrowed to
who may (docs/roles.md). The views are ``manual.admin_views``; this module only registers them."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from manual import admin_views
from manual.services import translation_editor, translations

register_snippet(admin_views.TaxonomyGroup)
register_snippet(admin_views.GlossaryConceptViewSet)


@hooks.register("register_admin_urls")
def register_translation_review_urls():
    return [
        path("manual/translations/", include((admin_views.TRANSLATION_URLS, "manual_translations"))),
        # Both shadow wagtail-localize's view at the same path: matched first ("manual" precedes it
        # in INSTALLED_APPS), so that its links and reverse("wagtail_localize:...") reach them.
        path(
            "localize/page/<int:page_id>/convert_to_alias/",
            admin_views.convert_to_alias,
            name="manual_convert_to_alias",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            admin_views.SyncTranslationsView.as_view(),
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
    translation = translations.translation_into(page)
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
