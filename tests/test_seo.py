"""SEO and sharing (issue 14 point 4, issue 16 point 1): SEO title and description in the admin,
translations, API and reader head; a case's schema.org JSON-LD; the sitemap index and its cached
per-locale parts; robots.txt."""

from __future__ import annotations

import gzip
import io
import json
import re
import urllib.robotparser
from decimal import Decimal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from django.core.files.images import ImageFile
from django.utils.text import Truncator
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail_localize.models import StringSegment, TranslationSource

from manual.models import CaseStudyIndexPage, CaseStudyPage, ManualHomePage, ManualSectionPage
from manual.services import sitemap
from tests.support.factories import CaseStudyPageFactory, ManualSectionPageFactory, UntranslatedCaseStudyPageFactory
from tests.support.samples import make_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_files_cleanup")]

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
PAGE_TYPES = [ManualHomePage, ManualSectionPage, CaseStudyIndexPage, CaseStudyPage]


def publish(page: Page) -> Page:
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def case(language: str = "en", slug: str = "decide-madrid") -> CaseStudyPage:
    return CaseStudyPage.objects.get(locale__language_code=language, slug=slug)


# --- editing and translating ----------------------------------------------------------------------


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_every_page_type_lets_editors_edit_seo_title_and_description(model):
    form_fields = model.get_edit_handler().get_form_class().base_fields
    assert {"seo_title", "search_description"} <= set(form_fields)


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_seo_title_and_description_are_sent_to_translators(model, en):
    page = model.objects.get(locale=en, depth=2) if model is ManualHomePage else model.objects.filter(locale=en).first()
    page.seo_title, page.search_description = "SEO title to translate", "Search description to translate"
    page = publish(page)
    source, _created = TranslationSource.get_or_create_from_instance(page)
    source.update_from_db()
    segments = dict(
        StringSegment.objects.filter(source=source).values_list("context__path", "string__data"),
    )
    assert segments["seo_title"] == "SEO title to translate"
    assert segments["search_description"] == "Search description to translate"


# --- the one definition of the fallbacks, in the API and the reader --------------------------------


def test_case_detail_falls_back_to_title_and_summary(client, en):
    page = case()
    page.summary = "Residents of Madrid propose and vote. " * 10  # 380 characters: cut at 200
    page = publish(page)
    answer = client.get(f"/api/v1/cases/{page.pk}").json()
    assert answer["seo"]["title"] == page.title
    assert answer["seo"]["description"] == Truncator(page.summary).chars(200)
    assert len(answer["seo"]["description"]) == 200 and answer["seo"]["description"].endswith("…")


def test_case_detail_serves_the_promote_tab_text(client, en):
    page = case()
    page.seo_title, page.search_description = "Madrid decides: the city's portal", "How Madrid lets residents decide."
    publish(page)
    answer = client.get(f"/api/v1/cases/{page.pk}?locale=en").json()
    assert answer["seo"] == {
        "title": "Madrid decides: the city's portal",
        "description": "How Madrid lets residents decide.",
    }


def test_section_detail_falls_back_to_its_intro(client, en):
    section = ManualSectionPageFactory(intro="What this chapter covers, <b>in short</b>.")
    answer = client.get(f"/api/v1/sections/{section.pk}").json()
    assert answer["seo"] == {"title": section.title, "description": "What this chapter covers, in short."}


def test_a_found_home_page_has_its_seo_text(client):
    answer = client.get("/api/v1/pages/find?path=/ru/").json()
    home = ManualHomePage.objects.get(pk=answer["id"])
    assert answer["detail"]["seo"]["title"] == home.title
    assert answer["detail"]["seo"]["description"]  # the home's intro, without its markup
    assert "<" not in answer["detail"]["seo"]["description"]


def test_a_page_without_summary_or_intro_has_an_empty_description(client, en):
    section = ManualSectionPageFactory(intro="")
    assert client.get(f"/api/v1/sections/{section.pk}").json()["seo"]["description"] == ""


def test_reader_head_shows_the_same_seo_text_as_the_api(client, en):
    page = case()
    page.seo_title, page.search_description = "Madrid decides", "How Madrid lets residents decide."
    page = publish(page)
    html = client.get(page.url).content.decode()
    assert "<title>Madrid decides · " in html
    assert '<meta name="description" content="How Madrid lets residents decide.">' in html
    assert '<meta property="og:title" content="Madrid decides">' in html
    assert '<meta property="og:description" content="How Madrid lets residents decide.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert '<meta property="og:locale:alternate" content="ru_RU">' in html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert canonical.endswith("/en/cases/decide-madrid/")
    assert f'<meta property="og:url" content="{canonical}">' in html
    api = client.get(f"/api/v1/cases/{page.pk}").json()["seo"]
    assert api == {"title": "Madrid decides", "description": "How Madrid lets residents decide."}


def with_hero_image(page: CaseStudyPage) -> CaseStudyPage:
    file = ImageFile(io.BytesIO(make_image("PNG", (1600, 900))), name="hero.png")
    image = get_image_model().objects.create(title="Hero", file=file)
    page.hero_image = image
    return publish(page)


def test_a_case_with_an_image_shares_it(client, en):
    page = with_hero_image(case())
    html = client.get(page.url).content.decode()
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image.startswith("http://testserver/") and client.get(urlsplit(image).path).status_code == 200
    assert '<meta property="og:image:width" content="1200">' in html


# --- schema.org JSON-LD ----------------------------------------------------------------------------


def json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_a_case_page_carries_its_schema_org_description(client, en):
    page = case()
    page.latitude, page.longitude = Decimal("40.4168"), Decimal("-3.7038")
    page = with_hero_image(page)
    html = client.get(page.url).content.decode()
    data = json_ld(html)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == page.title and data["url"] == canonical
    assert data["description"] == re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
    assert data["inLanguage"] == "en"
    assert data["datePublished"] == page.first_published_at.isoformat()
    assert data["dateModified"] == page.last_published_at.isoformat()
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["isPartOf"]["url"].endswith("/en/") and data["isPartOf"]["@type"] == "CreativeWork"
    place = data["spatialCoverage"]
    assert place["@type"] == "Place" and place["address"]["addressCountry"] == "ES"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 40.4168, "longitude": -3.7038}
    topics = {topic.label for topic in page.topics.all()}
    assert topics and {item["name"] for item in data["about"]} == topics
    assert data["image"]["url"].startswith("http://") and data["image"]["width"] == 1200


def test_json_ld_is_in_the_pages_language_and_without_geo_when_there_are_no_coordinates(client, ru):
    page = case("ru")
    page.latitude = page.longitude = None
    page = publish(page)
    data = json_ld(client.get(page.url).content.decode())
    assert data["inLanguage"] == "ru" and data["headline"] == page.title
    assert "geo" not in data["spatialCoverage"]
    assert data["isPartOf"]["url"].endswith("/ru/")


def test_json_ld_cannot_end_its_script_element(client, en):
    page = case()
    page.title = 'Madrid </script><script>alert("x")</script> & <!-- co'
    page = publish(page)
    html = client.get(page.url).content.decode()
    assert "<script>alert" not in html
    assert json_ld(html)["headline"] == page.title


# --- sitemap -------------------------------------------------------------------------------------


def xml_of(client, path: str, status: int = 200) -> Element:
    response = client.get(path)
    assert response.status_code == status, path
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def index_parts(client) -> list[str]:
    index = xml_of(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    return [urlsplit(loc.text).path for loc in index.findall("sm:sitemap/sm:loc", NS)]


def part_urls(client, path: str) -> dict[str, Element]:
    urlset = xml_of(client, path)
    return {url.find("sm:loc", NS).text: url for url in urlset.findall("sm:url", NS)}


def all_urls(client) -> dict[str, Element]:
    urls: dict[str, Element] = {}
    for path in index_parts(client):
        urls.update(part_urls(client, path))
    return urls


def test_the_index_names_a_part_per_locale_at_the_public_address(client, settings):
    index = xml_of(client, "/sitemap.xml")
    locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert locs == [f"{settings.BASE_URL}/sitemap-en.xml", f"{settings.BASE_URL}/sitemap-ru.xml"]
    assert all(item.find("sm:lastmod", NS).text for item in index.findall("sm:sitemap", NS))


def test_each_part_lists_its_locales_pages_with_hreflang_alternates_and_lastmod(client):
    english, russian = case("en"), case("ru")
    en_urls, ru_urls = part_urls(client, "/sitemap-en.xml"), part_urls(client, "/sitemap-ru.xml")
    en_url, ru_url = english.get_full_url(), russian.get_full_url()
    assert en_url in en_urls and ru_url in ru_urls
    assert en_url not in ru_urls and ru_url not in en_urls
    alternates = {link.get("hreflang"): link.get("href") for link in en_urls[en_url].findall("xhtml:link", NS)}
    assert alternates == {"en": en_url, "ru": ru_url, "x-default": en_url}
    assert en_urls[en_url].find("sm:lastmod", NS).text == english.last_published_at.isoformat(timespec="seconds")
    homes = [url for url in en_urls if urlsplit(url).path == "/en/"]
    assert homes, "the home page is listed"


def test_only_live_reviewed_unrestricted_pages_are_listed(client, en):
    draft = CaseStudyPageFactory(slug="sitemap-draft", publish=False, locale_aliases=False)
    restricted = UntranslatedCaseStudyPageFactory(slug="sitemap-restricted")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="x")
    aliased = UntranslatedCaseStudyPageFactory(slug="sitemap-aliased", locale_aliases=True)
    urls = "\n".join(all_urls(client))
    assert "/sitemap-draft/" not in urls and "/sitemap-restricted/" not in urls
    assert "/en/cases/sitemap-aliased/" in urls, "the English source is listed"
    assert "/ru/cases/sitemap-aliased/" not in urls, "its Russian alias (source text) is not"
    assert draft.pk and aliased.pk


def test_publishing_unpublishing_and_deleting_renew_the_cached_parts(client, en):
    before = client.get("/sitemap-en.xml")
    new = UntranslatedCaseStudyPageFactory(slug="sitemap-fresh")
    assert "/en/cases/sitemap-fresh/" in client.get("/sitemap-en.xml").content.decode()
    assert client.get("/sitemap-en.xml")["ETag"] != before["ETag"]
    new.unpublish()
    assert "/en/cases/sitemap-fresh/" not in client.get("/sitemap-en.xml").content.decode()
    publish(new)
    assert "/en/cases/sitemap-fresh/" in client.get("/sitemap-en.xml").content.decode()
    Page.objects.get(pk=new.pk).delete()
    assert "/en/cases/sitemap-fresh/" not in client.get("/sitemap-en.xml").content.decode()


def test_moving_a_page_renews_the_cached_parts(client, en):
    section = ManualSectionPageFactory(title="Sitemap mover")
    target = ManualSectionPage.objects.live().filter(locale=en, depth=3).exclude(pk=section.pk).first()
    client.get("/sitemap-en.xml")
    section.move(target, pos="last-child")
    moved = ManualSectionPage.objects.get(pk=section.pk).get_full_url()
    assert moved in client.get("/sitemap-en.xml").content.decode()


def test_parts_are_served_from_the_cache_not_built_per_request(client, django_assert_num_queries):
    first, index = client.get("/sitemap-en.xml").content, client.get("/sitemap.xml").content
    # Changed behind the signals' back: the cached part is what is served until a change is signalled.
    Page.objects.filter(pk=case().pk).update(live=False)
    with django_assert_num_queries(2):  # the generation and the part, from the database cache
        assert client.get("/sitemap-en.xml").content == first
    with django_assert_num_queries(2):
        assert client.get("/sitemap.xml").content == index
    sitemap.pages_changed()
    assert "/en/cases/decide-madrid/" not in client.get("/sitemap-en.xml").content.decode()


def test_a_request_builds_only_the_part_it_asks_for(client, monkeypatch):
    built = []
    build_part = sitemap.build_part

    def counted(code: str, number: int) -> str:
        built.append((code, number))
        return build_part(code, number)

    monkeypatch.setattr(sitemap, "build_part", counted)
    sitemap.pages_changed()
    client.get("/sitemap.xml")
    assert built == []
    client.get("/sitemap-ru.xml")
    client.get("/sitemap-ru.xml")
    assert built == [("ru", 1)]


def test_parts_are_paged_past_the_part_size(client, settings):
    every = set(all_urls(client))
    settings.SITEMAP_PART_SIZE = 5
    sitemap.pages_changed()
    parts = index_parts(client)
    english = [path for path in parts if path.startswith("/sitemap-en")]
    assert english[:2] == ["/sitemap-en.xml", "/sitemap-en-2.xml"] and len(english) > 2
    sizes = [len(part_urls(client, path)) for path in english]
    assert all(size == 5 for size in sizes[:-1]) and 1 <= sizes[-1] <= 5
    assert set(all_urls(client)) == every
    assert client.get(f"/sitemap-en-{len(english) + 1}.xml").status_code == 404


@pytest.mark.parametrize("path", ["/sitemap-de.xml", "/sitemap-en-0.xml", "/sitemap-xx-2.xml", "/sitemap-en-99.xml"])
def test_unknown_parts_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_crawlers_get_the_stored_gzip_and_revalidate_with_the_etag(client):
    plain = client.get("/sitemap-en.xml")
    zipped = client.get("/sitemap-en.xml", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert "Content-Encoding" not in plain
    again = client.get("/sitemap-en.xml", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == 304


# --- robots.txt ----------------------------------------------------------------------------------


def test_robots_txt_allows_the_reader_and_keeps_crawlers_out_of_private_paths(client, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert f"Sitemap: {settings.BASE_URL}/sitemap.xml" in body.splitlines()
    lines = body.splitlines()
    for rule in ("/admin/", "/django-admin/", "/api/preview", "/en/submit/*/edit/", "/ru/submit/status/"):
        assert f"Disallow: {rule}" in lines
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(body.splitlines())
    base = settings.BASE_URL
    for allowed in ("/en/", "/ru/cases/decide-madrid/", "/en/search/?q=budget", "/sitemap.xml", "/api/v1/cases"):
        assert rules.can_fetch("Googlebot", base + allowed), allowed
    for private in ("/admin/pages/3/edit/", "/admin/login/", "/api/preview?token=x", "/unpublished-media/a.png",
                    "/ru/submit/status/5b0b5b10-0000-4000-8000-000000000000/"):  # fmt: skip
        assert not rules.can_fetch("Googlebot", base + private), private


def test_robots_txt_names_an_index_that_answers_anonymously(client):
    body = client.get("/robots.txt").content.decode()
    index = re.search(r"^Sitemap: (\S+)$", body, re.MULTILINE).group(1)
    assert client.get(urlsplit(index).path).status_code == 200
