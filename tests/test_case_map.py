"""The reader's map of the cases (``/<locale>/map/``): what it lists, counts and draws, and what it refuses."""

from __future__ import annotations

import html
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale

from manual.models import CaseStudyPage
from manual.services import map_drawing
from manual.services.case_filters import filter_cases
from manual.services.read_model import localized_pages
from tests.support.factories import CaseStudyPageFactory, UntranslatedCaseStudyPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """Django's LocaleMiddleware leaves a request's language active in the thread: a test asking for
    /ru/ must not leave the tests after it (tests/test_content_model.py matches English messages)
    speaking Russian."""
    with translation.override(translation.get_language()):
        yield


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def section(body: str, css_class: str) -> str:
    return body.split(f'<ul class="{css_class}">', 1)[1].split("</ul>", 1)[0]


def listed_titles(body: str) -> list[str]:
    """The titles of the list of cases, in order."""
    return [
        html.unescape(title)
        for title in re.findall(r'<li><a href="[^"]+"[^>]*>([^<]+)</a>', section(body, "map-case-list"))
    ]


def country_counts(body: str) -> dict[str, int]:
    """Country code -> count, from the links of the country list (``?country=XX``) and their text."""
    counts = {}
    for code, count in re.findall(r'country=([A-Z]{2})">[^<]+</a>: (\d+)', section(body, "map-country-counts")):
        counts[code] = int(count)
    return counts


def points(body: str) -> list[tuple[str, str]]:
    """(href, title) of each point drawn on the map."""
    return re.findall(r'<a class="map-point" href="([^"]+)"[^>]*><title>([^<]+)</title>', body)


def database_cases(language: str, filters: dict | None = None) -> list[CaseStudyPage]:
    cases = filter_cases(
        localized_pages(CaseStudyPage, Locale.objects.get(language_code=language), True), filters or {}
    )
    return list(cases.order_by("title", "pk"))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_map_lists_and_counts_every_public_case_of_the_locale(client, language):
    body = page(client, f"/{language}/map/")
    cases = database_cases(language)
    assert len(cases) >= 12
    assert listed_titles(body) == [case.title for case in cases]
    assert country_counts(body) == dict(Counter(case.country.code for case in cases))
    drawn = points(body)
    assert len(drawn) == sum(1 for case in cases if case.latitude is not None)
    assert {html.unescape(title) for _url, title in drawn} == {
        case.title for case in cases if case.latitude is not None
    }
    assert f'<html lang="{language}">' in body


@pytest.mark.parametrize(
    "query, filters",
    [
        ("country=ES", {"country": ["ES"]}),
        ("country=es&country=BE", {"country": ["ES", "BE"]}),
        ("topic=budget&tool=e-voting", {"topic": ["budget"], "tool": ["e-voting"]}),
        ("country=ES&topic=budget", {"country": ["ES"], "topic": ["budget"]}),
    ],
)
def test_filters_show_what_the_case_list_filters_would(client, query, filters):
    body = page(client, f"/ru/map/?{query}")
    cases = database_cases("ru", filters)
    assert cases, "each combination matches some demo case"
    assert listed_titles(body) == [case.title for case in cases]
    assert country_counts(body) == dict(Counter(case.country.code for case in cases))
    for key, codes in filters.items():
        for code in codes:
            assert f'name="{key}" value="{code}" checked' in body, "the choice stays checked"


def test_facet_counts_are_disjunctive_so_another_country_can_be_added(client):
    body = page(client, "/en/map/?country=ES")
    every = Counter(case.country.code for case in database_cases("en"))
    for code in ("ES", "BE", "FR"):
        assert re.search(rf'value="{code}"( checked)?>\s*<label for="map-country-{code}">[^<]+\({every[code]}\)', body)


@pytest.mark.parametrize(
    "query, field, words",
    [
        ("country=XX", "country", "Unknown country code(s): 'XX'."),
        ("topic=no-such-topic", "topic", "Unknown topic code(s): 'no-such-topic'."),
        ("stage=" + "&stage=".join(f"s{n}" for n in range(21)), "stage", "At most 20 values."),
    ],
)
def test_a_refused_filter_is_explained_and_every_case_still_shows(client, query, field, words):
    body = page(client, f"/en/map/?{query}", status=400)
    summary = body.split('<div class="error-summary" role="alert">', 1)[1].split("</div>", 1)[0]
    assert f'href="#map-{field}"' in summary and html.escape(words) in summary
    assert listed_titles(body) == [case.title for case in database_cases("en")]


def test_drafts_never_show_and_untranslated_cases_show_in_their_language(client):
    draft = CaseStudyPageFactory(
        title="Qwertyuiop draft budget",
        slug="qwertyuiop-draft",
        publish=False,
        latitude=Decimal(52),
        longitude=Decimal(5),
    )
    assert not draft.live
    live = CaseStudyPage.objects.live().get(slug="decide-madrid", locale__language_code="en")
    live.title = "Qwertyuiop unpublished revision"
    live.save_revision()
    untranslated = UntranslatedCaseStudyPageFactory(latitude=Decimal("52.37"), longitude=Decimal("4.89"))
    for language in ("en", "ru"):
        body = page(client, f"/{language}/map/")
        assert "Qwertyuiop" not in body and "qwertyuiop" not in body
        assert "Decide Madrid" in body
    russian = page(client, "/ru/map/")
    item = next(line for line in section(russian, "map-case-list").splitlines() if untranslated.title in line)
    assert f'href="{untranslated.url}" hreflang="en" lang="en"' in item
    assert "не переведено" in item.lower() or "not translated" in item.lower()


def test_a_case_without_coordinates_is_listed_not_drawn(client):
    case = UntranslatedCaseStudyPageFactory(title="Zyxwvut unplaced assembly")
    body = page(client, "/en/map/")
    assert case.title in listed_titles(body)
    assert case.title not in [title for _url, title in points(body)]
    item = next(line for line in section(body, "map-case-list").splitlines() if case.title in line)
    assert "not on the map" in item


def test_points_link_to_the_cases_and_fall_inside_the_map(client):
    far = UntranslatedCaseStudyPageFactory(
        title="Zyxwvut Ottawa forum", latitude=Decimal("45.42"), longitude=Decimal("-75.70")
    )
    body = page(client, "/en/map/")
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', body).groups())
    drawn = {html.unescape(title): url for url, title in points(body)}
    assert drawn[far.title] == far.url
    for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="7"/>', body):
        assert 0 <= float(x) <= width and 0 <= float(y) <= height


def test_countries_are_shaded_by_their_number_of_cases(client):
    body = page(client, "/en/map/?country=ES&country=IS")
    shaded = re.findall(r'<path class="map-step-([1-9])"', body)
    assert sorted(shaded) == sorted(str(map_drawing.step(n)) for n in country_counts(body).values())
    assert "1 case study" in body.split('class="map-legend"', 1)[1]


def test_the_map_asks_nothing_of_other_hosts_and_carries_no_script(client):
    response = client.get("/en/map/")
    body = response.content.decode()
    assert "<script" not in body and " style=" not in body
    assert not re.findall(r'(?:src|href)="(?:https?:)?//(?!testserver)', body)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def test_with_a_tile_server_the_map_draws_on_its_tiles_and_credits_it(client, settings):
    settings.MAP_TILE_URL, settings.MAP_TILE_ATTRIBUTION = TILES, "© Example Tiles contributors"
    body = page(client, "/en/map/")
    left, top, width, height = (
        float(v) for v in re.search(r'viewBox="([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)"', body).groups()
    )
    tiles = re.findall(r'<image href="https://tiles\.example\.org/4/(\d+)/(\d+)\.png" x="([\d.]+)" y="([\d.]+)"', body)
    assert tiles, "Europe fits 1000 units at zoom 4"
    for column, row, x, y in tiles:
        assert (float(x), float(y)) == (int(column) * 256, int(row) * 256)
    # The tiles cover the whole drawing, and every point lies on them.
    xs, ys = [float(x) for _c, _r, x, _y in tiles], [float(y) for _c, _r, _x, y in tiles]
    assert min(xs) <= left and max(xs) + 256 >= left + width and min(ys) <= top and max(ys) + 256 >= top + height
    for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="7"/>', body):
        assert left <= float(x) <= left + width and top <= float(y) <= top + height
    assert "Map tiles: © Example Tiles contributors" in body.split('class="map-licence"', 1)[1]
    assert not re.findall(r'(?:src|href)="(?:https?:)?//(?!testserver|tiles\.example\.org/)', body)


def test_web_mercator_puts_madrid_on_the_tile_a_tile_server_would():
    projection = map_drawing.TileProjection(map_drawing.EUROPE)
    assert projection.zoom == 4
    x, y = projection.point(-3.70, 40.42)
    assert (int(x // 256), int(y // 256)) == (7, 6)  # https://tile.openstreetmap.org/4/7/6.png holds Madrid
    assert projection.point(0, 0) == (2048, 2048)
    assert "https://t.example/4/7/6.png" in [
        tile.href for tile in projection.tiles("https://t.example/{z}/{x}/{y}.png")
    ]


def test_the_reader_navigation_links_to_the_map(client):
    home = page(client, "/ru/")
    nav = home.split('class="primary-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/ru/map/"' in nav
    assert 'href="/ru/map/" aria-current="page"' in page(client, "/ru/map/")


def test_country_counts_link_to_the_case_list_filtered_by_country(client):
    body = page(client, "/en/map/")
    assert 'href="/en/cases/?country=ES">Spain</a>: 2 case studies' in body
    listed = page(client, "/en/cases/?country=ES")
    assert listed.count('<li class="result') == 2


def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm Wagtail's and the label caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_map_costs_the_same_queries_whatever_the_number_of_cases(client):
    small = queries(client, "/en/map/?country=IS")
    assert queries(client, "/en/map/") == small
    for number in range(4):
        UntranslatedCaseStudyPageFactory(latitude=Decimal(50 + number), longitude=Decimal(number))
    assert queries(client, "/en/map/") == small
    assert queries(client, "/ru/map/?country=ES&topic=budget&tool=e-voting") == small


def test_projection_keeps_europe_in_the_frame():
    projection = map_drawing.Projection(map_drawing.EUROPE)
    west, south, east, north = (map_drawing.EUROPE.west, map_drawing.EUROPE.south,
                                map_drawing.EUROPE.east, map_drawing.EUROPE.north)  # fmt: skip
    assert projection.point(west, north) == (0, 0)
    assert projection.point(east, south) == (map_drawing.WIDTH, projection.height)
    madrid, moscow = projection.point(-3.70, 40.42), projection.point(37.62, 55.76)
    assert madrid[0] < moscow[0] and madrid[1] > moscow[1]
    assert map_drawing.EUROPE.including([(-3.7, 40.4)]) == map_drawing.EUROPE
    assert map_drawing.EUROPE.including([(-75.7, 45.4)]).west == pytest.approx(-77.7)


def test_the_shipped_shapes_name_the_countries_cases_use():
    codes = {shape.code for shape in map_drawing.shapes()}
    assert {"ES", "FR", "DE", "RU", "IS", "MT", "LU", "EE", "GB", "CA"} <= codes
    assert [map_drawing.step(count) for count in (0, 1, 2, 4, 5, 19, 20, 999)] == [0, 1, 2, 2, 3, 3, 4, 4]


def test_crimea_is_drawn_as_part_of_ukraine():
    def within_crimea(shape):
        return [ring for ring in shape.rings if all(32.4 <= lon <= 36.7 and 44.3 <= lat <= 46.3 for lon, lat in ring)]

    by_code = {shape.code: shape for shape in map_drawing.shapes() if shape.code}
    assert not within_crimea(by_code["RU"])
    assert len(within_crimea(by_code["UA"])) == 1
