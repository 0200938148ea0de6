"""Reader pages: every page type in both languages, their chrome, forms and query counts.

Query counts are compared by equality: a page rendered with few and with many children (sections,
metrics, links, related cases, taxonomy terms, results, facet values) costs the same queries.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import unquote, urlparse

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from wagtail.documents.models import Document

from manual.models import (
    CaseStudyDocument,
    CaseStudyIndexPage,
    CaseStudyLink,
    CaseStudyMetric,
    CaseStudyPage,
    EParticipationTool,
    GovernmentLevel,
    ManualSectionPage,
    ParticipationLevel,
    PolicyStage,
    RelatedCase,
    Topic,
)
from manual.services.read_model import many_term_codes
from manual.taxonomy_registry import TaxonomyLabels
from search.services import EngineHealth, rebuild
from tests.support.factories import ManualSectionPageFactory
from tests.support.forms import started

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------


def queries(client, url: str) -> int:
    """Queries of one render, caches warm (a first render fills Wagtail's and the label caches)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def case_index(language: str) -> CaseStudyIndexPage:
    return CaseStudyIndexPage.objects.get(locale__language_code=language)


def real_case(language: str) -> CaseStudyPage:
    return CaseStudyPage.objects.live().filter(locale__language_code=language, alias_of__isnull=True).first()


def new_case(title: str, slug: str) -> CaseStudyPage:
    """An English case with no translation: a copy of a demo case (its children copied too)."""
    source = real_case("en")
    return source.copy(to=case_index("en"), update_attrs={"title": title, "slug": slug}, keep_live=True).specific


def grow_case(case: CaseStudyPage, count: int, others: list[CaseStudyPage]) -> None:
    for number in range(count):
        CaseStudyMetric.objects.create(page=case, locale=case.locale, label=f"M{number}", value=Decimal(number))
        CaseStudyLink.objects.create(page=case, locale=case.locale, title=f"L{number}", url=f"https://ex.org/{number}")
        document = Document.objects.create(title=f"D{number}", file=ContentFile(b"%PDF-1.4", name=f"d{number}.pdf"))
        CaseStudyDocument.objects.create(page=case, document=document)
    for other in others:
        RelatedCase.objects.create(page=case, case=other)


def reader_urls(language: str) -> dict[str, str]:
    section = ManualSectionPage.objects.live().filter(locale__language_code=language, depth=4).first()
    return {
        "home": f"/{language}/",
        "section": section.url,
        "case": real_case(language).url,
        "case_list": case_index(language).url,
        "search": f"/{language}/search/?q=budget",
        "accessibility": f"/{language}/accessibility/",
        "feedback": f"/{language}/accessibility/feedback/",
        "privacy": f"/{language}/privacy/",
    }


# --- every page type, both languages ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "kind", ["home", "section", "case", "case_list", "search", "accessibility", "feedback", "privacy"]
)
def test_page_renders_with_its_chrome(client, language, kind):
    url = reader_urls(language)[kind]
    html = html_of(client, url)
    assert f'<html lang="{language}">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert re.search(r'<link rel="canonical" href="http[^"]+"', html)
    assert f'hreflang="{language}"' in html and 'hreflang="x-default"' in html
    for meta in ("og:title", "og:url", "og:type", "og:locale"):
        assert f'property="{meta}"' in html
    assert "/accessibility/" in html and "/privacy/" in html and "/submit/" in html and "/api/v1/docs" in html


def test_no_page_loads_anything_from_another_host(client):
    own_hosts = {"testserver", "127.0.0.1", "localhost"}
    urls = [*reader_urls("en").values(), *reader_urls("ru").values()]
    for url in urls:
        html = html_of(client, url)
        # A case's schema.org data block (JSON-LD) runs nothing and loads nothing: any other script would.
        html = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", html)
        assert "<script" not in html and "<iframe" not in html and "@import" not in html
        for tag, _attr, value in re.findall(r"<(\w+)\b[^>]*?\s(src|href)=\"([^\"]*)\"", html):
            if tag == "a":
                continue  # a plain link loads nothing until the visitor follows it
            # Everything else is local: /static/, /media/, or this site's own absolute URLs
            # (canonical and hreflang alternates).
            assert value.startswith("/") and not value.startswith("//") or urlparse(value).hostname in own_hosts, (
                url,
                tag,
                value,
            )
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/css/manual.css"]


def test_case_page_shows_every_structured_field_in_russian(client):
    case = real_case("ru")
    case.latitude, case.longitude, case.population = Decimal("40.4168"), Decimal("-3.7038"), 3300000
    case.save()
    html = html_of(client, case.url)
    assert "<dt>Организация</dt>" in html and "<dt>Уровень участия</dt>" in html
    assert "https://www.openstreetmap.org/?mlat=40.4168&amp;mlon=-3.7038#map=12/40.4168/-3.7038" in html
    assert "Лицензия" in html and "creativecommons.org/licenses/" in html
    # Labels of the taxonomy terms in Russian, although the page links the English rows.
    topic = case.topics.first()
    assert Topic.objects.get(code=topic.code, locale__language_code="ru").label in html


def test_switcher_lists_only_existing_translations(client):
    case = new_case("Only in English", "only-in-english")
    html = html_of(client, case.url)
    switcher = html.split('<nav class="languages"')[1].split("</nav>")[0]
    assert 'hreflang="en"' in switcher and 'aria-current="page"' in switcher
    assert 'hreflang="ru"' not in switcher and "/ru/" not in switcher
    assert 'hreflang="ru"' not in html.split("</head>")[0]

    translated = real_case("en")
    html = html_of(client, translated.url)
    assert 'hreflang="ru"' in html.split('<nav class="languages"')[1].split("</nav>")[0]


def test_alias_page_says_it_is_shown_in_its_source_language(client, ru):
    case = new_case("Alias source", "alias-source")
    alias = case.create_alias(parent=case_index("ru"), update_locale=ru)
    html = html_of(client, alias.url)
    assert '<html lang="ru">' in html
    assert "shown in its source language" in html or "исходном языке" in html
    assert '<main id="main" tabindex="-1" lang="en">' in html
    # The alias is not a translation: no hreflang for it.
    assert 'hreflang="ru"' not in html.split("</head>")[0]


def test_fallback_search_result_is_marked_with_its_language(client):
    new_case("Zyxwvut untranslated initiative", "zyxwvut")
    rebuild(["en", "ru"])
    html = html_of(client, "/ru/search/?q=Zyxwvut")
    assert 'id="result-count"' in html
    item = re.search(r'<li class="result result--fallback" lang="en">(.*?)</li>', html, re.S)
    assert item and "Zyxwvut" in item.group(1)
    assert "/en/cases/zyxwvut/" in item.group(1)


def test_search_page_contract(client, driver):  # noqa: F811
    html = html_of(client, "/ru/search/?q=бюджет")
    assert '<form method="get" action="/ru/search/" class="search-form" role="search"' in html
    assert re.search(r'<label for="search-q">[^<]+</label>\s*<input type="search" id="search-q" name="q"', html)
    for key in ("country", "topic", "tool", "participation_level", "government_level", "type"):
        assert f'name="{key}"' in html
    assert re.search(r'<label for="search-country-ES">Испания \(\d+\)</label>', html)
    for name in ("year_from", "year_to"):
        assert f'type="number" id="search-{name}" name="{name}"' in html
    assert 'name="sort"' in html and '<button type="submit">' in html
    assert '<ol class="results"' in html and '<li class="result">' in html and "<mark>" in html
    narrowed = html_of(client, "/ru/search/?q=бюджет&country=ES")
    assert 'value="ES" checked' in narrowed
    count = re.search(r'id="result-count"[^>]*>(\d+)', narrowed)
    assert count and 0 < int(count.group(1)) <= 2


def test_search_escapes_the_query_and_says_when_nothing_matches(client):
    html = html_of(client, "/en/search/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'class="no-results"' in html


def test_search_degraded_notice(client, settings):
    settings.SEARCH_URL = "http://127.0.0.1:9"
    EngineHealth.reset()
    try:
        html = html_of(client, "/en/search/?q=budget")
    finally:
        EngineHealth.reset()
    assert "notice--warning" in html and '<li class="result">' in html


def test_invalid_filters_are_explained_not_crashing(client):
    response = client.get("/en/search/?year_from=abc&sort=nope")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#search-year_from"' in html and 'href="#search-sort"' in html


def test_case_list_filters_cases_with_the_get_form(client):
    html = html_of(client, "/en/cases/?country=ES")
    assert re.search(r'<form method="get" action="/en/cases/" class="search-form" aria-labelledby', html)
    assert 'name="type"' not in html  # the list holds case studies only
    assert 'value="ES" checked' in html
    assert re.search(r'id="result-count"[^>]*>2 results<', html)


def test_section_page_has_contents_breadcrumbs_and_neighbours(client):
    html = html_of(client, reader_urls("en")["section"])
    assert 'class="toc"' in html and 'class="breadcrumbs"' in html and 'class="prev-next"' in html


# --- forms and error pages -----------------------------------------------------------------------


def test_feedback_form_names_the_missing_message(client):
    response = client.post(
        "/en/accessibility/feedback/", {"name": "A", "email": "", "message": "", "form_started": started()}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_message"' in html and "Your message" in html
    assert 'aria-invalid="true"' in html
    assert mail.outbox == []


def test_feedback_form_sends_mail_and_redirects(client, settings, django_capture_on_commit_callbacks):
    settings.ACCESSIBILITY_FEEDBACK_EMAIL = "a11y@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ru/accessibility/feedback/",
            {
                "name": "Анна",
                "email": "anna@example.org",
                "message": "Контраст кнопки",
                "page_url": "/ru/",
                "form_started": started(),
            },
        )
    assert response.status_code == 302 and response.headers["Location"] == "/ru/accessibility/feedback/thanks/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a11y@example.org"] and message.reply_to == ["anna@example.org"]
    assert "Контраст кнопки" in message.body
    assert '<html lang="ru">' in html_of(client, response.headers["Location"])


def test_404_uses_the_reader_template(client):
    response = client.get("/ru/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert '<html lang="ru">' in html and '<main id="main"' in html


def test_500_template_needs_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render({})
    assert "<h1>" in html and "<style>" in html and "/static/" not in html, "no static files lookup"


# --- previews --------------------------------------------------------------------------------------


def test_preview_renders_a_draft_case_with_its_unsaved_children():
    case = real_case("en")
    case.title = "Draft title in preview"
    case.metrics.add(CaseStudyMetric(label="Draft-only metric", value=Decimal(7), locale=case.locale))
    response = case.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft title in preview" in html and "Draft-only metric" in html


def test_preview_renders_a_draft_section():
    section = ManualSectionPage.objects.live().filter(locale__language_code="ru", depth=3).first()
    section.intro = "Черновик вступления"
    response = section.make_preview_request()
    assert response.status_code == 200 and "Черновик вступления" in response.content.decode()


def test_headless_preview_hands_the_draft_to_an_external_front_end(client, settings):
    settings.HEADLESS_PREVIEW_CLIENT_URL = "https://front.example.org"
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": "https://front.example.org"}}
    case = real_case("ru")
    case.title = "Черновик для внешнего сайта"
    html = case.make_preview_request().content.decode()
    found = re.search(r"https://front\.example\.org/\?content_type=([\w.]+)&(?:amp;)?token=([^\"&]+)", html)
    assert found, html
    content_type, token = found.group(1), unquote(found.group(2))
    response = client.get("/api/preview", {"content_type": content_type, "token": token})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json()["page"]["title"] == "Черновик для внешнего сайта"
    assert response.json()["locale"] == "ru"
    assert client.get("/api/preview", {"content_type": content_type, "token": "forged"}).status_code == 404


def test_builtin_preview_when_no_front_end_is_configured(settings):
    settings.HEADLESS_PREVIEW_CLIENT_URL = ""
    html = real_case("en").make_preview_request().content.decode()
    assert '<main id="main"' in html


# --- query counts ------------------------------------------------------------------------------------


def test_home_costs_the_same_whatever_the_number_of_sections_and_cases(client):
    url = "/en/"
    ManualSectionPageFactory(title="Extra 0", slug="extra-0", publish=False)
    small = queries(client, url)
    for number in range(1, 5):
        ManualSectionPageFactory(title=f"Extra {number}", slug=f"extra-{number}", publish=False)
        new_case(f"Extra case {number}", f"extra-case-{number}")
    assert queries(client, url) == small


def test_section_costs_the_same_whatever_the_number_of_children_and_headings(client):
    parent = ManualSectionPage.objects.live().filter(locale__language_code="en", depth=3).first()
    section = ManualSectionPageFactory(parent=parent, title="Counted", slug="counted", headings=1, publish=False)
    section.body.append(("case_reference", {"case": real_case("en"), "note": ""}))
    section.save()
    ManualSectionPageFactory(parent=section, title="Child 0", slug="child-0", publish=False)
    small = queries(client, section.url)
    for number in range(1, 6):
        ManualSectionPageFactory(parent=section, title=f"Child {number}", slug=f"child-{number}", publish=False)
    cases = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)[:5]
    section.body = [
        *[("heading", {"text": f"H{number}", "level": "h3"}) for number in range(8)],
        *[("case_reference", {"case": case, "note": ""}) for case in cases],
    ]
    section.save()
    assert queries(client, section.url) == small


def test_case_page_costs_the_same_whatever_the_number_of_children_and_terms(client):
    others = list(CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)[:8])
    case = new_case("Counted case", "counted-case")
    case.topics.set(Topic.objects.filter(locale__language_code="en")[:1])
    case.tools.set(EParticipationTool.objects.filter(locale__language_code="en")[:1])
    case.save()
    for model in (CaseStudyMetric, CaseStudyLink, CaseStudyDocument, RelatedCase):
        model.objects.filter(page=case).delete()
    grow_case(case, 1, others[:1])
    small = queries(client, case.url)

    # Terms first: saving a page commits its in-memory children, so the rows are added after.
    case = CaseStudyPage.objects.get(pk=case.pk)
    case.topics.set(Topic.objects.filter(locale__language_code="en"))
    case.tools.set(EParticipationTool.objects.filter(locale__language_code="en"))
    case.save()
    grow_case(case, 5, others[1:])
    html = html_of(client, case.url)
    # The metrics' headings (M0 ... M5): the copied demo case's facts have headings of their own.
    assert len(re.findall(r"<dt>M\d", html)) == 6 and html.count(">D") >= 6 and "L4" in html
    assert queries(client, case.url) == small


def test_a_case_page_lists_many_terms_in_taxonomy_order_without_reading_their_rows(client):
    """One query on the link tables for every taxonomy with many terms (read_model.many_term_codes);
    the labels give codes and order: sort order first, then code (Taxonomy.Meta.ordering)."""
    case = real_case("en")
    topics = list(Topic.objects.filter(locale__language_code="en").order_by("code")[:3])
    for number, topic in enumerate(topics):
        Topic.objects.filter(code=topic.code).update(sort_order=10 - number)  # the reverse of the codes
    case.topics.set(topics)
    case.save()
    client.get(case.url)  # the labels, read once per process
    with CaptureQueriesContext(connection) as captured:
        html = html_of(client, case.url)
    tables = {model._meta.db_table for model in (Topic, EParticipationTool, PolicyStage)}
    assert not [query for query in captured.captured_queries if any(f'"{table}"' in query["sql"] for table in tables)]
    links = [query for query in captured.captured_queries if "_topics" in query["sql"]]
    assert len(links) == 1 and "_tools" in links[0]["sql"] and "_stages" in links[0]["sql"]
    labels = ", ".join(escape(topic.label) for topic in reversed(topics))
    assert f"<dd>{labels}</dd>" in html


def test_a_term_newer_than_the_labels_is_still_listed():
    case = real_case("en")
    labels = TaxonomyLabels("en")
    newer = Topic.objects.create(code="zz-newer", label="Newer", locale=case.locale, sort_order=0)
    CaseStudyPage.topics.through.objects.create(casestudypage=case, topic=newer)
    codes = many_term_codes([case.pk], labels)["topics"][case.pk]
    assert codes[-1] == "zz-newer" and len(codes) == case.topics.count()


def test_a_case_page_labels_its_single_terms_without_reading_their_rows(client):
    """The labels know each term's code by id (manual.taxonomy_registry.TaxonomyLabels.code_of)."""
    case = real_case("ru")
    assert case.government_level_id and case.participation_level_id
    client.get(case.url)  # the labels, read once per process
    with CaptureQueriesContext(connection) as captured:
        html = html_of(client, case.url)
    tables = {GovernmentLevel._meta.db_table, ParticipationLevel._meta.db_table}
    assert not [query for query in captured.captured_queries if any(f'"{table}"' in query["sql"] for table in tables)]
    for model, term_id in (
        (GovernmentLevel, case.government_level_id),
        (ParticipationLevel, case.participation_level_id),
    ):
        code = model.objects.get(pk=term_id).code
        assert escape(model.objects.get(code=code, locale__language_code="ru").label) in html


def test_case_list_costs_the_same_whatever_the_number_of_cases_and_facets(client):
    url = "/en/cases/"
    small = queries(client, url + "?country=IS")
    assert queries(client, url) == small
    for number in range(3):
        new_case(f"Listed case {number}", f"listed-case-{number}")
    rebuild(["en"])
    assert queries(client, url) == small
    assert queries(client, url + "?country=ES&topic=budget&tool=e-voting") == small


def test_search_costs_the_same_whatever_the_number_of_results_and_facets(client):
    small = queries(client, "/ru/search/?q=Рейкьявик")
    assert queries(client, "/ru/search/?q=бюджет") == small
    assert queries(client, "/ru/search/") == small
    assert queries(client, "/ru/search/?q=бюджет&country=ES&country=FR&topic=budget") == small


# --- the chrome's navigation, read once per change ------------------------------------------------


def navigation_titles(client, url: str) -> list[str]:
    """The titles of the chapters the primary navigation links."""
    html = html_of(client, url)
    nav = html[html.index('<nav class="primary-nav"') :]
    return re.findall(r'<li><a href="/en/[^"]*/"[^>]*>([^<]+)</a></li>', nav[: nav.index("</nav>")])


def test_navigation_shows_a_published_title_change_and_an_unpublication_at_once(client):
    chapter = ManualSectionPage.objects.live().filter(locale__language_code="en", depth=3).order_by("path").first()
    other = ManualSectionPage.objects.live().filter(locale__language_code="en", depth=3).order_by("path").last()
    assert chapter.title in navigation_titles(client, "/en/privacy/")
    queries(client, "/en/privacy/")  # the navigation is cached from here on

    chapter.title = "Renamed chapter"
    chapter.save_revision().publish()
    titles = navigation_titles(client, "/en/privacy/")
    assert "Renamed chapter" in titles

    other.unpublish()
    assert other.title not in navigation_titles(client, "/en/privacy/")
    assert "Renamed chapter" in navigation_titles(client, "/en/")
