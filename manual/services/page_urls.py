"""Page URLs in bulk: what Wagtail's ``Page.get_url(request)`` answers, without a ``reverse`` per page.

The manual's page types keep Wagtail's routing (none overrides ``get_url_parts``, as
``manual.services.sitemap`` relies on too), so a page's URL is the URL of its site root in the
root's language (``wagtail_serve`` of ``i18n_patterns``, reversed once per root and language)
followed by the rest of its ``url_path``, quoted as Django's ``reverse`` quotes it. A list of 50
cards and their translations asked Wagtail 100 times, each a ``reverse`` under a language override
(about 10 ms at 10,000 cases, docs/performance.md). A path the route's pattern would not match
(which ``reverse`` refuses) goes to Wagtail itself, as does every page when Wagtail's
``WAGTAIL_APPEND_SLASH`` is off; ``tests/test_page_urls.py`` compares both for every demo page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site
from wagtail.models.sites import SiteRootPath

# Wagtail's ``serve_pattern`` (wagtail/urls.py) with WAGTAIL_APPEND_SLASH on: what ``reverse`` accepts.
_SERVED_PATH = re.compile(r"(?:[\w\-]+/)*")
# What ``reverse`` leaves unquoted (django.urls.resolvers.URLResolver._reverse_with_prefix).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


class BulkUrls:
    """URLs of pages as ``page.get_url(request)`` gives them: relative on the request's site (or when
    there is one site), else with the site's root URL; None for a page under no site root."""

    def __init__(self, request: HttpRequest | None) -> None:
        self.request = request
        self.site = Site.find_for_request(request) if request is not None else None
        self.roots: list[SiteRootPath] = Site.get_site_root_paths()
        self.single_site = len({root.site_id for root in self.roots}) == 1
        self.bases: dict[tuple[SiteRootPath, str | None], str | None] = {}
        self.fast = getattr(settings, "WAGTAIL_APPEND_SLASH", True)

    def url(self, page: Page) -> str | None:
        if not self.fast:
            return page.get_url(self.request)
        roots = [root for root in self.roots if page.url_path.startswith(root.root_path)]
        if not roots:
            return None
        root = roots[0]
        if self.site is not None and isinstance(self.request, HttpRequest):
            # A page under several sites' roots (rare): the request's site, as Wagtail prefers it.
            root = next((other for other in roots if other.site_id == self.site.pk), root)
        rest = page.url_path[len(root.root_path) :]
        if not _SERVED_PATH.fullmatch(rest):
            return page.get_url(self.request)
        base = self._base(root)
        return None if base is None else base + quote(rest, safe=_SAFE)

    def _base(self, root: SiteRootPath) -> str | None:
        """The URL of ``root`` (its home page), as ``Page.get_url_parts`` and ``get_url`` make it."""
        active = translation.get_language()
        key = (root, active)
        if key not in self.bases:
            language_code = root.language_code
            try:
                # The active language when it is a variant of the root's (Wagtail's own rule).
                if active and get_supported_content_language_variant(active) == language_code:
                    language_code = active
            except LookupError:
                pass
            try:
                with translation.override(language_code):
                    path = reverse("wagtail_serve", args=("",))
            except NoReverseMatch:
                self.bases[key] = None
            else:
                relative = self.single_site or (self.site is not None and root.site_id == self.site.pk)
                self.bases[key] = path if relative else root.root_url + path
        return self.bases[key]
