"""What search engines and link previews read of a page: its SEO title and description, the image
shared with a link, and a case's schema.org description (JSON-LD).

One definition of the fallbacks for the API (``seo`` of a detail answer) and the reader's ``<head>``:
the title is the promote tab's SEO title, else the page title; the description is the promote tab's
search description, else the case's summary or the page's intro (tags stripped), else empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page

from manual.models import LICENCE_URLS, CaseStudyPage
from manual.services.read_model import CaseReading

# Search engines show about 160 characters; a little more keeps whole words for longer snippets.
DESCRIPTION_LENGTH = 200
# The image a link preview shows (Open Graph's recommended 1.91:1), and the case's schema.org image.
SHARE_IMAGE_FILTER = "fill-1200x630"

# What json.dumps leaves that could end a <script> element or start markup inside it: escaped as
# Django's json_script does (django.utils.html._json_script_escapes).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class SeoText:
    title: str
    description: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "description": self.description}


def seo_text(page: Page) -> SeoText:
    """The page's title and description for search engines, with the fallbacks of this module's doc."""
    description = page.search_description or getattr(page, "summary", "") or getattr(page, "intro", "") or ""
    return SeoText(
        title=page.seo_title or page.title,
        description=Truncator(strip_tags(str(description)).strip()).chars(DESCRIPTION_LENGTH),
    )


def share_image(page: Page, request: HttpRequest | None) -> dict[str, Any] | None:
    """The case's hero image as a link preview shows it: absolute URL, width and height."""
    image = getattr(page, "hero_image", None)
    if image is None:
        return None
    rendition = image.get_rendition(SHARE_IMAGE_FILTER)
    url = request.build_absolute_uri(rendition.url) if request is not None else rendition.url
    return {"url": url, "width": rendition.width, "height": rendition.height}


def _place(page: CaseStudyPage, case: CaseReading) -> dict[str, Any]:
    # A Country at run time (django-countries), read as str by the type checker (api_shapes).
    country = page.country
    place: dict[str, Any] = {
        "@type": "Place",
        "name": ", ".join(part for part in (page.city, page.region, str(country.name)) if part),  # type: ignore[attr-defined]
        "address": {"@type": "PostalAddress", "addressCountry": country.code},  # type: ignore[attr-defined]
    }
    if page.city:
        place["address"]["addressLocality"] = page.city
    if page.region:
        place["address"]["addressRegion"] = page.region
    if case.coordinates:
        lat, lon = case.coordinates
        place["geo"] = {"@type": "GeoCoordinates", "latitude": float(lat), "longitude": float(lon)}
    return place


def case_json_ld(
    page: CaseStudyPage,
    case: CaseReading,
    url: str | None,
    home: Page | None,
    image: dict[str, Any] | None,
    request: HttpRequest | None,
) -> dict[str, Any]:
    """The schema.org ``Article`` of a case: what it is about, where, when, in which language, under
    which licence, and the manual it is part of.

    ``url`` is where the case is read (a stand-in's URL when it stands in); ``home`` the manual's
    home page in that tree.
    """
    text = seo_text(page)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title,
        "name": text.title,
        "description": text.description,
        "inLanguage": page.locale.language_code,
        "about": [{"@type": "Thing", "name": term["label"]} for term in case.terms.get("topics", [])],
        "spatialCoverage": _place(page, case),
        "temporalCoverage": f"{page.start_year}/{page.end_year or '..'}",
    }
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = url
    if page.first_published_at:
        data["datePublished"] = page.first_published_at.isoformat()
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    if home is not None:
        manual = {"@type": "CreativeWork", "name": _("eParticipation Manual"), "url": home.get_full_url(request)}
        data["isPartOf"] = manual
    licence_url = LICENCE_URLS.get(page.licence)
    if licence_url:
        data["license"] = licence_url
    if page.attribution:
        data["creditText"] = page.attribution
    if image is not None:
        data["image"] = {"@type": "ImageObject", **{key: image[key] for key in ("url", "width", "height")}}
    return data


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">`` element, safe inside HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above
