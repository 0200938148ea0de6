"""The Wagtail site of a request, found as Wagtail finds it, with SQL compiled once per process.

Wagtail's ``Site.find_for_request`` builds and compiles the same annotated query on every request
(``wagtail.models.sites.get_site_for_hostname``); on a reader page at 10,000 cases that was an
eighth of the request's profile (docs/performance.md "Fourth round: prepared reads"). ``SiteMiddleware`` runs the
same query and the same choice as a ``core.prepared.PreparedRead`` and leaves the answer where
Wagtail keeps it for the request (``request._wagtail_site``) of every request Wagtail serves a page
for, so Wagtail's routing, the page's URLs and the chrome all read it from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Site
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


class SiteMiddleware:
    """Finds the site (``site_for``) of a request Wagtail serves a page for, where Wagtail's
    ``Site.find_for_request`` reads it. Other views ask Wagtail when they need a site, as before
    (most never do: an API list reads no site)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], *args: Any) -> None:
        if view is not serve_page or hasattr(request, "_wagtail_site"):
            return
        port = request.get_port()
        if port.isdigit() and 0 < int(port) < 65536:  # else Wagtail answers, as before
            # As Site._find_for_request: the raw host, so ALLOWED_HOSTS is checked where it was.
            hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
            request._wagtail_site = site_for(hostname, int(port))  # type: ignore[attr-defined]
