"""The sitemap: an index (/sitemap.xml) of per-locale parts (/sitemap-<locale>.xml, then
/sitemap-<locale>-2.xml... past ``SITEMAP_PART_SIZE`` URLs), each listing the public pages of one
locale with their hreflang alternates and last publication.

Each part and the index are built once per change of the public pages and kept, gzipped, in the
"sitemap" cache (a database cache by default: one copy for every worker and node) under the
current *generation*: a token replaced whenever a page is published, unpublished, moved or
deleted, a view restriction changes or a site does (``pages_changed``, connected in
``manual.signals``).

After the change commits, a task (``build_task``, django-tasks) builds every file of the new
generation; a burst of changes queues a task each, and each builds only the files its generation
still lacks, so the burst costs one build per file (``BUILD_DELAY`` seconds after the change when
the task backend can defer, so that the burst is over). Until the task has built a file, a request
for it is answered with its previous version (stale while rebuilding), never by building it; only
a file that was never built, or whose build no task is pending for, is built by the request (the
one part it asks for, or the index from one aggregate query), never the whole map.

The same token versions the reader's navigation (``manual.templatetags.reader.navigation``) and
the case lists' unfiltered counts (``manual.services.read_model``).
The token is written in the transaction of the change and again once it commits: with the
database cache a request never sees the new token before the new pages, and a request that built
a part between the two writes built it under a token nobody reads any more.
"""

from __future__ import annotations

import gzip
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_tasks import default_task_backend, task
from wagtail.models import Locale, Page, Site
from wagtail.query import PageQuerySet

from core.side_effects import after_commit, in_batch
from core.task_priorities import TaskPriority
from manual.services.publication import public_pages

logger = logging.getLogger(__name__)

CACHE_ALIAS = "sitemap"
GENERATION_KEY = "sitemap:generation"
# The generation a build task is queued for: requests serve the previous files meanwhile.
PENDING_KEY = "sitemap:pending"
# Seconds a build waits after a change when the task backend can defer (TASKS_BACKEND=database).
BUILD_DELAY = 10
# How long a request waits for another worker building the same part before building it too.
BUILD_WAIT_SECONDS = 10.0
BUILD_LOCK_SECONDS = 120

XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
URLSET_OPEN = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
INDEX_OPEN = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


@dataclass(frozen=True)
class SitemapFile:
    """A built file: gzipped XML, and the generation it was built in (its ETag)."""

    gzipped: bytes
    generation: str


class NoSuchPart(LookupError):
    """The locale is not configured, or the part number is past the locale's last part."""


def _cache() -> Any:
    return caches[CACHE_ALIAS]


def _new_generation() -> None:
    try:
        _cache().set(GENERATION_KEY, uuid.uuid4().hex, None)
    except DatabaseError:
        # The cache table does not exist yet (a migration publishing pages before createcachetable
        # ran): there is no cached map to make stale either.
        logger.warning("sitemap cache unavailable; generation not renewed", exc_info=True)


def pages_changed(sender: Any = None, **kwargs: Any) -> None:
    """Signal receiver: what the sitemap lists may have changed; every cached file is stale.

    Inside ``core.side_effects.batch`` (an import) the map stays as it was until the batch ends,
    then gets one new generation, not one per case."""
    if not in_batch():
        _new_generation()
    after_commit("sitemap.generation", _changed, once_per_transaction=True)  # one build per commit


def _changed() -> None:
    """After the commit: a new generation, built by a task; requests serve the previous files meanwhile."""
    _new_generation()
    try:
        _cache().set(PENDING_KEY, generation(), BUILD_LOCK_SECONDS + BUILD_DELAY)
    except DatabaseError:
        return  # no cache table yet (see _new_generation): nothing to build into
    if default_task_backend.supports_defer:
        build_task.using(run_after=timezone.now() + timedelta(seconds=BUILD_DELAY)).enqueue()
    else:
        build_task.enqueue()


def generation() -> str:
    cache = _cache()
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        current = cache.get(GENERATION_KEY)
    return current


# --- What is listed ------------------------------------------------------------------------------


def _routable() -> Q:
    """Pages under a site's root (in any of its locales): the ones with a URL."""
    roots = {root.root_path for root in Site.get_site_root_paths()}
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(url_path__startswith=root)
    return condition


def listed_pages() -> PageQuerySet:
    """Public pages (live, reviewed, neither aliases nor stand-ins) without a view restriction."""
    return public_pages(Page).public().filter(_routable())


def _part_count(urls: int) -> int:
    return max(1, -(-urls // settings.SITEMAP_PART_SIZE))


def part_path(language_code: str, number: int) -> str:
    return f"/sitemap-{language_code}.xml" if number == 1 else f"/sitemap-{language_code}-{number}.xml"


def _lastmod(value: datetime | None) -> str:
    return f"<lastmod>{value.isoformat(timespec='seconds')}</lastmod>" if value else ""


def compress(text: str) -> bytes:
    # Level 6: nearly the size of 9 at a third of the time; built once per change.
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


# --- Building ------------------------------------------------------------------------------------


def build_index() -> str:
    """The sitemap index: two queries (the locales, then pages and last publication per locale)."""
    locales = dict(Locale.objects.filter(language_code__in=settings.MANUAL_LOCALES).values_list("pk", "language_code"))
    totals = listed_pages().filter(locale_id__in=locales).values("locale_id")
    totals = totals.annotate(urls=Count("pk"), modified=Max("last_published_at")).order_by()
    by_code = {locales[row["locale_id"]]: row for row in totals}
    entries = []
    for code in settings.MANUAL_LOCALES:
        row = by_code.get(code)
        if row is None:
            continue
        for number in range(1, _part_count(row["urls"]) + 1):
            loc = escape(settings.BASE_URL + part_path(code, number))
            entries.append(f"<sitemap><loc>{loc}</loc>{_lastmod(row['modified'])}</sitemap>\n")
    return f"{XML_HEADER}{INDEX_OPEN}{''.join(entries)}</sitemapindex>\n"


class _FullUrls:
    """Full URLs of pages from their ``url_path``, by Wagtail's own ``Page.get_full_url`` on one
    unsaved probe page: the manual's page types keep Wagtail's routing (none overrides
    ``get_url_parts``), so a URL depends on the url_path and the sites only, and a part of 10,000
    pages needs no 20,000 page instances. Wagtail keeps the sites' root paths on the object given as
    ``request`` (its cache object): read once per part."""

    def __init__(self) -> None:
        self.probe = Page()
        self.cache_object = SimpleNamespace()
        self.known: dict[str, str | None] = {}

    def __call__(self, url_path: str) -> str | None:
        if url_path not in self.known:
            self.probe.url_path = url_path
            self.known[url_path] = self.probe.get_full_url(self.cache_object)
        return self.known[url_path]


ROW_FIELDS = ("path", "url_path", "translation_key", "last_published_at", "locale__language_code")


def build_part(language_code: str, number: int) -> str:
    """One part: the ``number``-th ``SITEMAP_PART_SIZE`` pages of a locale by tree order, each with
    its hreflang alternates (its public translations, itself included, and x-default): two queries."""
    if language_code not in settings.MANUAL_LOCALES or number < 1:
        raise NoSuchPart(language_code)
    size = settings.SITEMAP_PART_SIZE
    mine = listed_pages().filter(locale__language_code=language_code).order_by("path")
    rows = list(mine.values_list(*ROW_FIELDS, named=True)[(number - 1) * size : number * size])
    if not rows and number > 1:
        raise NoSuchPart(language_code)
    versions: dict[Any, list[Any]] = {}
    if rows:
        # The part's pages are the locale's between its first and last path (tree order): their
        # translation keys as a subquery, not a list of up to SITEMAP_PART_SIZE parameters.
        window = mine.filter(path__gte=rows[0].path, path__lte=rows[-1].path).values("translation_key")
        translations = listed_pages().filter(translation_key__in=window).order_by("locale__language_code", "path")
        for version in translations.values_list(*ROW_FIELDS, named=True):
            versions.setdefault(version.translation_key, []).append(version)
    default = settings.MANUAL_LOCALES[0]
    full_url = _FullUrls()
    entries = []
    for row in rows:
        loc = full_url(row.url_path)
        if not loc:
            continue
        links = []
        alternates: list[tuple[str, str]] = []
        for version in versions.get(row.translation_key, []):
            url = full_url(version.url_path)
            if url:
                alternates.append((version.locale__language_code, url))
        if len(alternates) > 1:
            x_default = next((url for code, url in alternates if code == default), None)
            if x_default:
                alternates.append(("x-default", x_default))
            links = [
                f'<xhtml:link rel="alternate" hreflang={quoteattr(code)} href={quoteattr(url)}/>'
                for code, url in alternates
            ]
        entries.append(f"<url><loc>{escape(loc)}</loc>{_lastmod(row.last_published_at)}{''.join(links)}</url>\n")
    return f"{XML_HEADER}{URLSET_OPEN}{''.join(entries)}</urlset>\n"


# --- Serving -------------------------------------------------------------------------------------


def _cached(name: str, build: Any, *, stale_ok: bool = True) -> SitemapFile:
    """The file ``name`` of the current generation: from the cache; else its previous version while
    a build task is pending; else built once (other workers asking meanwhile wait for it, up to
    ``BUILD_WAIT_SECONDS``)."""
    cache = _cache()
    current = generation()
    key = f"sitemap:{current}:{name}"
    found = cache.get(key)
    if found is not None:
        return SitemapFile(found, current)
    if stale_ok and cache.get(PENDING_KEY) == current:
        previous = cache.get(f"sitemap:latest:{name}")
        if previous is not None:
            return SitemapFile(previous[1], previous[0])
    lock = f"{key}:building"
    if not cache.add(lock, 1, BUILD_LOCK_SECONDS):
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.05)
            found = cache.get(key)
            if found is not None:
                return SitemapFile(found, current)
    try:
        gzipped = compress(build())
        cache.set_many({key: gzipped, f"sitemap:latest:{name}": (current, gzipped)})
    finally:
        cache.delete(lock)
    return SitemapFile(gzipped, current)


def index() -> SitemapFile:
    return _cached("index", build_index)


def part(language_code: str, number: int) -> SitemapFile:
    """A part of the map; ``NoSuchPart`` for an unknown locale or a number past its last part."""
    if language_code not in settings.MANUAL_LOCALES or number < 1:
        raise NoSuchPart(language_code)
    return _cached(f"{language_code}:{number}", lambda: build_part(language_code, number))


def build_all() -> int:
    """Every file of the current generation not built yet (the index, then each locale's parts);
    returns how many were built."""
    cache = _cache()
    current = generation()
    names = {"index": build_index}
    totals = listed_pages().values("locale__language_code").annotate(urls=Count("pk")).order_by()
    urls = {row["locale__language_code"]: row["urls"] for row in totals}
    for code in settings.MANUAL_LOCALES:
        for number in range(1, _part_count(urls.get(code, 0)) + 1):
            names[f"{code}:{number}"] = partial(build_part, code, number)
    missing = [name for name in names if cache.get(f"sitemap:{current}:{name}") is None]
    for name in missing:
        _cached(name, names[name], stale_ok=False)
    if generation() == current:
        cache.delete(PENDING_KEY)  # a change since keeps its own build pending
    return len(missing)


@task(priority=TaskPriority.REBUILD)
def build_task() -> int:
    """``build_all`` after a change of the public pages: the number of files built (0: coalesced)."""
    return build_all()
