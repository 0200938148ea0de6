"""``{% search_listing "<type>" %}``: a listing of one searchable type, rendered by the search app.

A content page whose template lists documents of one type (the manual's case list) asks the search
app for it here: the same GET form, facets, counts and pagination as the search page, restricted
to that type. The page model stays a plain content model; the search runs while its template
renders, for the request being answered.
"""

from __future__ import annotations

from typing import Any

from django import template

from search.views import reader_language, reader_search_context

register = template.Library()


@register.inclusion_tag("search/search_layout.html", takes_context=True)
def search_listing(
    context: template.Context,
    type_name: str,
    language: str | None = None,
    form_id: str = "listing",
    form_title: str = "",
    submit_label: str = "",
) -> dict[str, Any]:
    """The listing of ``type_name`` in ``language`` (default: the active language, if the manual has it).

    ``form_title`` and ``submit_label`` name the form and its button in the caller's words.
    """
    request = context["request"]
    return {
        **reader_search_context(request, language or reader_language(), listing=type_name),
        "request": request,
        "action": request.path,
        "form_id": form_id,
        "role_search": False,
        "form_title": form_title,
        "submit_label": submit_label,
    }
