"""Template tags of the reader's page chrome (base.html): navigation, language switcher, meta.

A tag rather than view context because base.html also frames pages rendered by other apps'
views (the submission form) and by Django's error handlers, which know nothing of the reader.
The chrome costs a constant number of queries: one for the primary navigation (the generation of
its cached copy, ``navigation``), one for the translations of the page (two when the page is an
alias shown in its source language).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.models import Page, Site

from manual.services import read_model, seo, sitemap
from manual.services.locales import interface_language
from manual.services.translations import source_changed_since_translated

register = template.Library()

# Open Graph wants language_TERRITORY; a language's usual territory where it is not its own code.
OG_TERRITORIES = {"en": "GB", "el": "GR", "cs": "CZ", "da": "DK", "et": "EE", "ga": "IE", "sl": "SI", "sv": "SE"}


def language_name(code: str) -> str:
    """The language's name in that language (as a switcher shows it)."""
    return LANG_INFO.get(code, {}).get("name_local", code)


def og_locale(code: str) -> str:
    if "-" in code:
        language, territory = code.split("-", 1)
        return f"{language}_{territory.upper()}"
    return f"{code}_{OG_TERRITORIES.get(code, code.upper())}"


# The primary navigation of each language (and site), with the generation of the public pages it was
# read in: (language, site id) -> (generation, items). A few entries per process.
_navigation: dict[tuple[str, int | None], tuple[str, list[dict[str, str]]]] = {}


def navigation(request: Any, language: str) -> list[dict[str, str]]:
    """The chapters of ``language`` as the chrome links them (title, URL), read once per change.

    Every publication, unpublication, move or deletion renews the generation of the public pages
    (``manual.services.sitemap.generation``, in the database cache every worker reads), so a
    chapter's new title shows on the next request of every worker. Costs one query (the token)
    instead of the chapters' query and their URLs (8 ms at 10,000 cases: docs/performance.md).
    """
    site = Site.find_for_request(request)
    key = (language, site.pk if site is not None else None)
    current = sitemap.generation()
    cached = _navigation.get(key)
    if cached is not None and cached[0] == current:
        return cached[1]
    items = [{"title": item.title, "url": item.get_url(request)} for item in read_model.chapters(language)]
    _navigation[key] = (current, items)
    return items


def _page_languages(
    request: Any, page: Page, stand_in: Page | None = None, read: read_model.Translations | None = None
) -> dict[str, Any]:
    """Real translations of ``page`` (aliases and stand-ins are source-language copies, not translations).

    ``stand_in`` is the page of the URL when ``page`` is shown in its place (``ManualPage.serve``);
    ``read``: the versions the page's context read already (a case page's, with its related cases).
    """
    shown_at = stand_in or page
    language = shown_at.locale.language_code
    if read is None or page.translation_key not in read.keys:
        read = read_model.Translations([page])
    translations = read.of(page)
    if page.pk and not page.live and not any(item.pk == page.pk for item in translations):
        translations.append(page)  # a draft in preview: its own language still exists
    source_language = None
    if page.alias_of_id:
        # An alias shows the source page's content in this locale's tree: say which language it is.
        source_language = read_model.alias_source_language(page)
    elif stand_in is not None:
        source_language = page.locale.language_code
    fallback = source_language is not None
    # A live translation whose source has changed since: readers are told (the text is older).
    source_changed = not fallback and page.live and source_changed_since_translated(page)
    links = [
        {
            "code": item.locale.language_code,
            "name": language_name(item.locale.language_code),
            "url": item.get_url(request),
            "full_url": item.get_full_url(request),
            "current": item.locale.language_code == language and not fallback,
        }
        for item in translations
    ]
    default = next((link for link in links if link["code"] == settings.MANUAL_LOCALES[0]), None)
    return {
        "links": links,
        "alternates": links,
        "x_default": default["full_url"] if default else None,
        "canonical": shown_at.get_full_url(request),
        "source_language": source_language,
        "source_changed": source_changed,
        "source_language_name": language_name(source_language) if source_language else "",
    }


def _view_languages(request: Any, language: str) -> dict[str, Any]:
    """Views outside the page tree exist in every configured language under its prefix."""
    links = []
    # The switcher keeps a search's words and filters; alternates and canonical name the page only.
    query = request.GET.urlencode()
    for code in settings.MANUAL_LOCALES:
        path = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": language_name(code),
                "url": f"{path}?{query}" if query else path,
                "full_url": request.build_absolute_uri(path),
                "current": code == language,
            }
        )
    return {
        "links": links,
        "alternates": links,
        "x_default": links[0]["full_url"],
        "canonical": request.build_absolute_uri(request.path),
        "source_language": None,
        "source_language_name": "",
    }


@register.simple_tag(takes_context=True)
def reader_chrome(context: template.Context) -> dict[str, Any]:
    """Everything base.html needs around the content, for pages and plain views alike."""
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        page = None
    stand_in = getattr(request, "stand_in", None) if page is not None else None
    shown_at = stand_in or page
    language = shown_at.locale.language_code if shown_at is not None else (get_language() or settings.LANGUAGE_CODE)
    interface = interface_language(language)
    chrome: dict[str, Any] = {
        "language": language,
        "language_name": language_name(language),
        # Set when the interface has no catalogue in this language and is shown in English: the
        # template marks the interface's own text with this lang and says so in a notice.
        "interface_fallback": interface if interface != language else "",
        "language_name_marked": format_html('<span lang="{}">{}</span>', language, language_name(language)),
        "og_locale": og_locale(language),
        "home_url": f"/{language}/",
        "sections": [],
        "links": [],
        "alternates": [],
    }
    if page is not None:
        # The title and description search engines and link previews show (manual.services.seo).
        chrome["seo"] = seo.seo_text(page)
        chrome["description"] = chrome["seo"].description
    if request is None:
        return chrome
    chrome["sections"] = navigation(request, language)
    if page is not None:
        read = context.get("translations")
        read = read if isinstance(read, read_model.Translations) else None
        chrome.update(_page_languages(request, page, stand_in, read))
    elif getattr(request, "resolver_match", None) is not None:
        chrome.update(_view_languages(request, language))
    chrome["og_alternates"] = [og_locale(link["code"]) for link in chrome["links"] if link["code"] != language]
    return chrome
