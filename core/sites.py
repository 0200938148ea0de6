"""The Wagtail site of a request and its home in the request's language, found as Wagtail finds
them, with SQL compiled once per process.

Wagtail's ``Site.find_for_request`` builds and compiles the same annotated query on every request
(``wagtail.models.sites.get_site_for_hostname``); on a reader page at 10,000 cases that was an
eighth of the request's profile (docs/performance.md "Fourth round: prepared reads"). ``SiteMiddleware`` runs the
same query and the same choice as a ``core.prepared.PreparedRead`` and leaves the answer where
Wagtail keeps it for the request (``request._wagtail_site``) of every request Wagtail serves a page
for, so Wagtail's routing, the page's URLs and the chrome all read it from there. It then routes
the request as ``Page.route_for_request`` does, from the site's root page in the active language
(``home_in_language``: one prepared read where Wagtail's ``localized.specific`` made two or three
compiled each time), and leaves the result where Wagtail's serving reads it
(``request._wagtail_route_for_request``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site
from wagtail.models.sites import MATCH_DEFAULT, MATCH_HOSTNAME, MATCH_HOSTNAME_DEFAULT, MATCH_HOSTNAME_PORT
from wagtail.views import serve as serve_page

from core.prepared import PreparedRead


def _candidates(hostname: str, port: int) -> QuerySet:
    # wagtail.models.sites.get_site_for_hostname's query, best match first.
    match = Case(
        When(hostname=hostname, port=port, then=MATCH_HOSTNAME_PORT),
        When(hostname=hostname, is_default_site=True, then=MATCH_HOSTNAME_DEFAULT),
        When(is_default_site=True, then=MATCH_DEFAULT),
        default=MATCH_HOSTNAME,
        output_field=IntegerField(),
    )
    return (
        Site.objects.annotate(match=match)
        .filter(Q(hostname=hostname) | Q(is_default_site=True))
        .order_by("match")
        .select_related("root_page")
    )


_site_candidates = PreparedRead(_candidates, str, int)


def site_for(hostname: str, port: int) -> Site | None:
    """The site Wagtail answers for ``hostname`` and ``port``, or None (Wagtail's choice among matches)."""
    sites = _site_candidates(hostname, port)
    if not sites:
        return None
    if len(sites) == 1 or sites[0].match in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
        return sites[0]
    if sites[0].match == MATCH_DEFAULT:
        return sites[len(sites) == 2]
    return None


@cache
def _version_in(page_type: type[Page]) -> PreparedRead:
    """The version of a page (its translation key) in a language, specific, with its locale."""

    def version(translation_key: uuid.UUID, language_code: str) -> QuerySet:
        rows = page_type.objects.filter(translation_key=translation_key, locale__language_code=language_code)
        return rows.select_related("locale").order_by("pk")[:1]

    return PreparedRead(version, uuid.UUID, str)


def home_in_language(root: Page) -> Page:
    """``root.localized.specific``: the site's root page in the active language when that version
    is live, else the root page itself; specific either way."""
    page_type = root.specific_class
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False) or page_type is None:
        return root.localized.specific
    try:  # as Locale.get_active
        language = get_supported_content_language_variant(get_language())
    except LookupError:
        return root.specific
    found = _version_in(page_type)(root.translation_key, language)
    if found and (found[0].live or found[0].pk == root.pk):
        return found[0]
    return root.specific


class SiteMiddleware:
    """Finds the site (``site_for``) of a request Wagtail serves a page for, where Wagtail's
    ``Site.find_for_request`` reads it. Other views ask Wagtail when they need a site, as before
    (most never do: an API list reads no site)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], view_args: tuple[Any, ...], view_kwargs: dict[str, Any]
    ) -> None:
        if view is not serve_page or hasattr(request, "_wagtail_site"):
            return
        port = request.get_port()
        if not port.isdigit() or not 0 < int(port) < 65536:
            return  # Wagtail answers, as before
        # As Site._find_for_request: the raw host, so ALLOWED_HOSTS is checked where it was.
        hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
        site = site_for(hostname, int(port))
        request._wagtail_site = site  # type: ignore[attr-defined]
        path = view_kwargs.get("path", view_args[0] if view_args else None)
        if site is None or not isinstance(path, str) or hasattr(request, "_wagtail_route_for_request"):
            return
        # As Page.route_for_request, from the home read above.
        components = [component for component in path.split("/") if component]
        try:
            route = home_in_language(site.root_page).route(request, components)
        except Http404:
            route = None
        request._wagtail_route_for_request = route  # type: ignore[attr-defined]
