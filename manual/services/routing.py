"""Which public page a reader's URL path shows: the API's ``/api/v1/pages/find``.

Resolved as Wagtail serves the path (``site_config/urls.py``: ``/<language>/`` then the page's
``url_path`` below the site's root page in that language), but in one query for the page rather
than one per path segment as ``Page.route`` walks the tree; the site's root paths come from
Wagtail's cache (``Site.get_site_root_paths``).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from core.api_errors import InvalidInput, NotFound
from manual.services.publication import public_pages

# Longer than any URL a page of the manual has (slugs are at most 255 characters, the tree a few deep).
MAX_PATH_LENGTH = 2048


def check_path(path: str) -> None:
    if not path.startswith("/") or "\x00" in path:
        raise InvalidInput("path", _("A path starts with “/” and contains no NUL character."))


def public_page_at(request: HttpRequest, path: str) -> tuple[int, type[Page]]:
    """The id and page type of the public page (``public_pages``) served at ``path``; else ``NotFound``."""
    check_path(path)
    not_found = NotFound(_("No published page has this path."), "path")
    language = get_language_from_path(path)
    site = Site.find_for_request(request)
    if language is None or site is None:
        raise not_found
    root = next(
        (root for root in Site.get_site_root_paths() if root.site_id == site.pk and root.language_code == language),
        None,
    )
    if root is None:
        raise not_found
    below_root = path[len(language) + 2 :]  # after "/<language>/"
    if below_root and not below_root.endswith("/"):
        below_root += "/"  # as Django's APPEND_SLASH redirects a reader there
    found = (
        public_pages()
        .filter(url_path=root.root_path + below_root, locale__language_code=language)
        .values_list("pk", "content_type_id")
        .first()
    )
    if found is None:
        raise not_found
    page_type = ContentType.objects.get_for_id(found[1]).model_class()
    if page_type is None or not issubclass(page_type, Page):
        raise not_found
    return found[0], page_type
