"""A reader's URL finds its page as Wagtail's own walk down the tree finds it, in two queries
(manual.services.routing.route_below, called by ManualHomePage.route): the same page for every
path of both locales, the same 404s, and the view restrictions of every page above it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from manual.models import CaseStudyIndexPage, CaseStudyPage, ManualHomePage, ManualSectionPage
from manual.services.routing import MAX_ROUTED_SEGMENTS, route_below

pytestmark = pytest.mark.django_db


def home_of(language: str) -> ManualHomePage:
    return ManualHomePage.objects.get(locale__language_code=language)


def segments(home: Page, page: Page) -> list[str]:
    return [part for part in page.url_path[len(home.url_path) :].split("/") if part]


def walked(home: Page, components: list[str]) -> int | None:
    """The id of the page Wagtail's own ``Page.route`` serves at ``components``, None for its 404."""
    try:
        return Page.route(home, RequestFactory().get("/"), components).page.pk
    except Http404:
        return None


def routed(home: Page, components: list[str]) -> int | None:
    """The id of the page the home serves at ``components`` (``route_below`` or Wagtail's walk)."""
    try:
        return home.route(RequestFactory().get("/"), components).page.pk
    except Http404:
        return None


def pages_below(home: Page) -> list[Page]:
    return list(Page.objects.descendant_of(home).order_by("path"))


@pytest.fixture
def an_alias(db):
    """An untranslated case's alias in the Russian tree (where wagtail-localize puts a stand-in)."""
    case = CaseStudyPage.objects.filter(locale__language_code="en").order_by("path").last()
    index = CaseStudyIndexPage.objects.get(locale__language_code="ru")
    return case.create_alias(
        parent=index, update_locale=Locale.objects.get(language_code="ru"), update_slug="alias-of-a-case"
    )


@pytest.mark.usefixtures("an_alias")
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_and_every_wrong_path_route_as_wagtail_walks(language):
    home = home_of(language)
    pages = pages_below(home)
    assert len(pages) > 5 and any(page.depth >= home.depth + 2 for page in pages)
    for page in pages:
        path = segments(home, page)
        assert routed(home, path) == walked(home, path) == page.pk, page.url_path
        for wrong in (
            [*path, "no-such-page"],
            [*path[:-1], path[-1] + "-x"],
            [*path[:-1], path[-1].upper()] if path[-1].upper() != path[-1] else ["nowhere"],
            ["no-such-chapter", *path],
        ):
            assert routed(home, wrong) is walked(home, wrong) is None, wrong


def test_a_draft_is_not_served_but_the_live_pages_below_a_draft_chapter_are():
    """As Page.route: only the page served must be live, not the pages above it."""
    home = home_of("en")
    case = CaseStudyPage.objects.live().filter(locale__language_code="en").order_by("path").first()
    index = case.get_parent()
    case.unpublish()
    assert routed(home, segments(home, case)) is walked(home, segments(home, case)) is None

    other = CaseStudyPage.objects.live().child_of(index).first()
    Page.objects.filter(pk=index.pk).update(live=False)
    assert routed(home, segments(home, other)) == walked(home, segments(home, other)) == other.pk


def test_a_route_reads_the_chain_once_whatever_the_depth():
    home = home_of("en")
    deepest = max(pages_below(home), key=lambda page: page.depth)
    shallowest = min(pages_below(home), key=lambda page: page.depth)
    for page in (shallowest, deepest):
        with CaptureQueriesContext(connection) as captured:
            found = route_below(home, RequestFactory().get("/"), segments(home, page))
        assert isinstance(found, RouteResult) and found.page.pk == page.pk
        assert len(captured) == 2, page.url_path
    # The page comes with its locale, and the breadcrumbs' pages come with it too.
    above = [ancestor.pk for ancestor in Page.objects.ancestor_of(deepest).order_by("depth")]
    with CaptureQueriesContext(connection) as captured:
        assert found.page.locale.language_code == "en"
        assert [ancestor.pk for ancestor in found.page.route_ancestors] == above
    assert len(captured) == 0


def test_view_restrictions_are_those_wagtail_reads_for_every_page():
    home = home_of("en")
    index = CaseStudyIndexPage.objects.get(locale__language_code="en")
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.PASSWORD, password="x")
    PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)
    for page in pages_below(home):
        found = home.route(RequestFactory().get("/"), segments(home, page)).page
        assert hasattr(found, "route_ancestors")
        expected = set(Page.get_view_restrictions(Page.objects.get(pk=page.pk)).values_list("pk", flat=True))
        assert set(found.get_view_restrictions().values_list("pk", flat=True)) == expected
        assert expected, page.url_path  # every page is below the restricted home


def test_a_restricted_chapter_keeps_its_cases_from_anonymous_readers(client):
    index = CaseStudyIndexPage.objects.get(locale__language_code="en")
    case = CaseStudyPage.objects.live().child_of(index).first()
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    response = client.get(case.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' in html and case.title not in html


def test_an_alias_in_the_chain_takes_its_sources_restrictions(client, an_alias):
    """An alias has the view restrictions of the page it copies (Wagtail resolves them)."""
    source = Page.objects.get(pk=an_alias.alias_of_id)
    PageViewRestriction.objects.create(page=source, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(an_alias.url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_page_type_with_its_own_route_routes_what_follows_it(monkeypatch):
    """E.g. a RoutablePageMixin page: Wagtail's walk calls it for the rest of the path."""
    home = home_of("en")
    index = CaseStudyIndexPage.objects.get(locale__language_code="en")
    seen = []

    def own_route(self, request, path_components):
        seen.append(list(path_components))
        return RouteResult(self, kwargs={"rest": path_components})

    monkeypatch.setattr(CaseStudyIndexPage, "route", own_route)
    case = CaseStudyPage.objects.live().child_of(index).first()
    result = home.route(RequestFactory().get("/"), segments(home, case))
    assert result.page.pk == index.pk and seen == [[case.slug]]


def test_a_path_deeper_than_the_manual_is_walked_by_wagtail():
    home = home_of("en")
    assert route_below(home, RequestFactory().get("/"), ["a"] * (MAX_ROUTED_SEGMENTS + 1)) is None
    assert routed(home, ["a"] * (MAX_ROUTED_SEGMENTS + 1)) is None


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_reader_gets_every_page_of_a_locale_through_the_site(client, language):
    with translation.override(language):
        for page in ManualSectionPage.objects.live().filter(locale__language_code=language)[:3]:
            response = client.get(page.url)
            assert response.status_code == 200 and response.context["page"].pk == page.pk
