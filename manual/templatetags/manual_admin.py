"""Template tags of the manual's admin templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.widgets import HeaderButton
from wagtail.models import Page

from manual.services import translation_editor

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_editor_for_non_publishers(context) -> dict[str, Any] | None:
    """For wagtail-localize's translation editor of a page (templates/wagtail_localize/admin/edit_translation.html).

    ``None`` for users who may publish the page; for the others, the editor's props without
    "Convert to alias page", a "Submit for review" header button and the same action as the
    footer's primary button. A template tag because
    wagtail-localize's view renders its template itself: the template is the only place where
    what the editor shows can be changed without copying the view.
    """
    page, translation, request = context.get("instance"), context.get("translation"), context.get("request")
    if not isinstance(page, Page) or translation is None or request is None:
        return None
    if translation_editor.may_convert_to_alias(request.user, page):
        return None
    review_url = reverse("manual_translations:review", args=[translation.pk])
    return {
        "props": translation_editor.props_without_convert_to_alias(context["props"]),
        "buttons": [HeaderButton(_("Submit for review"), review_url, icon_name="tasks")],
        # The footer's primary button (static/manual/js/translator-footer.js) posts here.
        "submit_url": reverse("manual_translations:submit_for_review", args=[translation.pk]),
        "submit_label": _("Submit for review"),
    }
