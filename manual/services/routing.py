"""Which page a reader's URL path shows: Wagtail's serving of it (``route_below``) and the API's
``/api/v1/pages/find`` (``public_page_at``).

The API resolves a path as Wagtail serves it (``site_config/urls.py``: ``/<language>/`` then the page's
``url_path`` below the site's root page in that language), but in one query for the page rather
than one per path segment as ``Page.route`` walks the tree; the site's root paths come from
Wagtail's cache (``Site.get_site_root_paths``).
"""

from __future__ import annotations

from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from core.api_errors import InvalidInput, NotFound
from core.prepared import PreparedRead
from manual.models import AwaitingTranslation
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
    candidates = public_pages().filter(url_path=root.root_path + below_root, locale__language_code=language)
    if below_root:  # by its slug first: indexed, where url_path is not
        candidates = candidates.filter(slug=below_root.rstrip("/").rsplit("/", 1)[-1])
    found = candidates.values_list("pk", "content_type_id").first()
    if found is None:
        raise not_found
    page_type = ContentType.objects.get_for_id(found[1]).model_class()
    if page_type is None or not issubclass(page_type, Page):
        raise not_found
    return found[0], page_type


# Deeper than any page of the manual (home, chapter, sub-section, case list, case). A longer path is
# walked by Wagtail, which stops at its first unknown segment, so no request makes a long IN list.
MAX_ROUTED_SEGMENTS = 12


def _chain_of(above: list[str], slugs: list[str], below: str, deepest: int) -> QuerySet:
    """The pages at the tree paths ``above`` and those with one of ``slugs`` below the path ``below``."""
    wanted = Q(slug__in=slugs, path__startswith=below, depth__lte=deepest)
    return Page.objects.filter(Q(path__in=above) | wanted).order_by("path")


# Both reads run for every reader page: their SQL is compiled once per process (core.prepared),
# which was most of what routing cost.
_chain = PreparedRead(_chain_of, [str], [str], str, int)


@cache
def _specific(page_type: type[Page]) -> PreparedRead:
    """The routed page, specific, with its locale and whether it awaits its translation."""

    def one(page_id: int) -> QuerySet:
        awaiting = AwaitingTranslation.objects.filter(page_id=OuterRef("pk"))
        rows = page_type.objects.select_related("locale").annotate(routed_awaiting_translation=Exists(awaiting))
        return rows.filter(pk=page_id).order_by()[:1]

    return PreparedRead(one, int)


def route_below(home: Page, request: HttpRequest, components: list[str]) -> RouteResult | None:
    """The page Wagtail's ``Page.route`` would serve at ``components`` below ``home`` (a locale's
    root page, already specific), in two queries instead of two per path segment.

    One query reads the whole chain (Wagtail's root down to the page: the pages below ``home`` by
    their slugs, kept where their ``url_path`` is the one asked for; the ones above by their tree
    path); one reads the page itself, specific, with
    its locale and whether it awaits its translation (``ManualPage.serve``). The chain is kept on
    the page (``route_ancestors``) for its breadcrumbs and view restrictions, which then need no
    query of their own. None when Wagtail's walk must decide, as it did before: an unknown path (its
    404), a chain that is not one parent-child line, or a page type with a ``route`` of its own.
    """
    if not components or len(components) > MAX_ROUTED_SEGMENTS:
        return None
    prefixes = [home.url_path + "/".join(components[: depth + 1]) + "/" for depth in range(len(components))]
    above = [home.path[:end] for end in range(Page.steplen, len(home.path), Page.steplen)]
    # By slug (indexed; url_path is not, and a scan of it cost more than the queries saved), then
    # kept where the url_path is the one asked for: the same slug may be elsewhere in the tree.
    rows = _chain(above, sorted(set(components)), home.path, home.depth + len(components))
    chain = [*[row for row in rows if row.depth < home.depth], home]
    below = [row for row in rows if row.depth > home.depth and row.url_path in prefixes]
    if len(chain) != home.depth or [row.url_path for row in below] != prefixes:
        return None  # unknown segment, or more than one page at a path: Wagtail answers
    for parent, child in zip([home, *below], below, strict=False):
        page_type = child.specific_class
        if child.depth != parent.depth + 1 or not child.path.startswith(parent.path):
            return None
        if page_type is None or page_type.route is not Page.route:
            return None  # it routes what follows it (e.g. RoutablePageMixin): Wagtail's walk calls it
    found = below[-1]
    page_type = found.specific_class
    page = next(iter(_specific(page_type)(found.pk)), None)
    if page is None:
        return None  # deleted since the first query: Wagtail answers
    if not page.live:
        raise Http404  # as Page.route: ancestors need not be live, the page served must
    page.route_ancestors = [*chain, *below[:-1]]
    page._cached_parent_obj = page.route_ancestors[-1]  # treebeard's get_parent(), as Page.route sets it
    return RouteResult(page)
