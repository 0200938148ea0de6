"""A section's body in the API: every block with what a front end needs to render it.

Images as renditions (``src``, ``srcset``), rich text with public URLs of the reader's locale,
case references as case summaries, each block type typed in OpenAPI; nothing unpublished or private
shows, and the number of queries does not grow with the number of blocks.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale

from manual.blocks import SectionBodyBlock
from manual.models import CaseStudyPage, ManualSectionPage
from manual.schemas import SRCSET_WIDTHS
from manual.services.review import ensure_in_review_collection
from tests.support.factories import CaseStudyPageFactory, ManualSectionPageFactory
from tests.support.samples import make_image, make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_files_cleanup")]

BLOCK_TYPES = list(SectionBodyBlock.base_blocks)  # as declared, which the fixture's body follows
LINKED_CASE = "decide-madrid"
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"  # a demo case with a Russian translation


def make_image_row(title: str = "A chart", collection: Collection | None = None, size=(1400, 700)):
    return get_image_model().objects.create(
        title=title,
        file=ContentFile(make_image(size=size), name=f"{title.lower().replace(' ', '-')}.png"),
        collection=collection or Collection.get_first_root_node(),
    )


def make_document(title: str = "Guide", collection: Collection | None = None):
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(make_pdf(), name="guide.pdf"),
        collection=collection or Collection.get_first_root_node(),
    )


def english_case(slug: str = LINKED_CASE) -> CaseStudyPage:
    return CaseStudyPage.objects.get(slug=slug, locale__language_code="en")


def russian_version(page):
    return page.get_translation(Locale.objects.get(language_code="ru"))


def section_detail(client, section, **params):
    response = client.get(f"/api/v1/sections/{section.pk}", params)
    assert response.status_code == 200, response.content
    return response.json()


def raw(*blocks: tuple[str, object]) -> list[dict]:
    """A body in its stored form (chosen objects by id), as an import writes it."""
    return [{"type": block_type, "value": value} for block_type, value in blocks]


def blocks_of(body, block_type):
    return [block for block in body if block["type"] == block_type]


@pytest.fixture
def image():
    return make_image_row()


@pytest.fixture
def document():
    return make_document()


@pytest.fixture
def draft_section():
    return ManualSectionPageFactory(title="Unpublished plans", publish=False, live=False)


@pytest.fixture
def draft_case():
    return CaseStudyPageFactory(title="Draft case", slug="draft-case", publish=False, live=False)


@pytest.fixture
def section(image, document, draft_section, draft_case):
    case = english_case()
    body = raw(
        ("heading", {"text": "What to read", "level": "h3"}),
        (
            "paragraph",
            f'<p>See <a linktype="page" id="{case.pk}">Madrid</a>, the <a linktype="document" '
            f'id="{document.pk}">guide</a> and <a linktype="page" id="{draft_section.pk}">our plans</a>.</p>'
            '<p><a linktype="page">No id</a>, <a linktype="page" id="x1">bad id</a>, '
            '<a linktype="page" id="99999999999999999999999">huge id</a>.</p>'
            f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="Inline chart"/>',
        ),
        ("quote", {"text": "Participation is a habit.", "attribution": "A mayor"}),
        ("image", {"image": image.pk, "alt_text": "Bars", "caption": "Votes by year", "credit": "City archive"}),
        (
            "callout",
            {"kind": "tip", "title": "Tip", "text": f'<p>Start with <a linktype="page" id="{case.pk}">x</a></p>'},
        ),
        ("table", {"caption": "Votes", "header": ["Year", "Votes"], "rows": [{"cells": ["2019", "11000"]}]}),
        ("document", {"document": document.pk, "title": "The guide"}),
        ("embed", VIDEO),
        ("case_reference", {"case": case.pk, "note": "A city-wide portal."}),
        ("case_reference", {"case": draft_case.pk, "note": "Not yet published."}),
    )
    return ManualSectionPageFactory(title="Reading list", body=body)


def test_each_block_type_answers_what_rendering_needs(client, section, image, document):
    body = section_detail(client, section)["body"]
    assert [block["type"] for block in body] == BLOCK_TYPES, "one of each; the reference to a draft case is left out"
    assert all(block["id"] for block in body)
    values = {block["type"]: block["value"] for block in body}
    assert values["heading"] == {"text": "What to read", "level": "h3"}
    assert values["quote"] == {"text": "Participation is a habit.", "attribution": "A mayor"}
    assert values["table"] == {"caption": "Votes", "header": ["Year", "Votes"], "rows": [{"cells": ["2019", "11000"]}]}
    assert values["document"] == {
        "document": {"id": document.pk, "title": "Guide", "url": document.url},
        "title": "The guide",
    }
    assert values["embed"] == {
        "url": VIDEO,
        "html": None,
        "title": "",
        "thumbnail_url": "",
        "width": None,
        "height": None,
    }, "never fetched: the front end asks the provider"
    assert values["callout"]["kind"] == "tip" and values["callout"]["title"] == "Tip"
    assert 'linktype="' not in values["callout"]["text"]

    picture = values["image"]
    assert (picture["alt_text"], picture["caption"], picture["credit"]) == ("Bars", "Votes by year", "City archive")
    assert picture["image"]["id"] == image.pk and picture["image"]["title"] == "A chart"

    reference = values["case_reference"]
    case = english_case()
    assert reference["note"] == "A city-wide portal."
    summary = reference["case"]
    assert (summary["id"], summary["title"], summary["url"]) == (case.pk, case.title, case.url)
    assert summary["summary"] == case.summary and summary["country"]["code"] == case.country.code
    assert summary["fallback"] is False and "ru" in summary["translations"]


def test_an_embed_comes_with_what_wagtail_stored_of_it(client, section):
    Embed.objects.create(
        url=VIDEO,
        max_width=800,
        hash="0" * 32,
        type="video",
        html='<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
        title="A video",
        thumbnail_url="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
        width=800,
        height=450,
    )
    embed = blocks_of(section_detail(client, section)["body"], "embed")[0]["value"]
    assert embed == {
        "url": VIDEO,
        "html": '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
        "title": "A video",
        "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
        "width": 800,
        "height": 450,
    }


def test_image_srcset_has_every_width_and_its_files_are_served(client, section):
    picture = blocks_of(section_detail(client, section)["body"], "image")[0]["value"]["image"]
    srcset = picture["srcset"]
    assert [source["width"] for source in srcset] == list(SRCSET_WIDTHS)
    assert [source["height"] for source in srcset] == [width // 2 for width in SRCSET_WIDTHS]
    assert picture["src"] == srcset[1], "the default rendition is the middle width"
    for source in srcset:
        assert source["url"].startswith("/media/"), "site-relative, as page URLs are"
        response = client.get(source["url"])
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"


def test_a_narrow_image_is_not_enlarged(client):
    narrow = make_image_row("Small logo", size=(600, 300))
    section = ManualSectionPageFactory(body=raw(("image", {"image": narrow.pk, "alt_text": "Logo"})))
    picture = blocks_of(section_detail(client, section)["body"], "image")[0]["value"]
    assert [source["width"] for source in picture["image"]["srcset"]] == [480, 600]
    assert picture["image"]["src"]["width"] == 600
    assert picture["credit"] == "", "a block stored before credits existed answers an empty credit"


def test_internal_links_lead_to_the_readers_locale(client, section):
    case = english_case()
    ru_case = russian_version(case)
    english = blocks_of(section_detail(client, section)["body"], "paragraph")[0]["value"]
    russian_body = section_detail(client, section, locale="ru", fallback=1)["body"]
    russian = blocks_of(russian_body, "paragraph")[0]["value"]
    assert f'<a href="{case.url}">Madrid</a>' in english and case.url.startswith("/en/")
    assert f'<a href="{ru_case.url}">Madrid</a>' in russian and ru_case.url.startswith("/ru/")
    callout = blocks_of(russian_body, "callout")[0]["value"]["text"]
    assert f'<a href="{ru_case.url}">x</a>' in callout
    reference = blocks_of(russian_body, "case_reference")[0]["value"]["case"]
    assert (reference["id"], reference["url"], reference["locale"]) == (ru_case.pk, ru_case.url, "ru")


def test_document_links_and_embedded_images_are_resolved(client, section, document):
    paragraph = blocks_of(section_detail(client, section)["body"], "paragraph")[0]["value"]
    assert f'<a href="{document.url}">guide</a>' in paragraph
    img = re.search(r"<img [^>]*>", paragraph).group(0)
    assert 'alt="Inline chart"' in img and 'width="800"' in img
    srcset = re.search(r'srcset="([^"]*)"', img).group(1)
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == [f"{width}w" for width in SRCSET_WIDTHS]
    assert "embedtype" not in paragraph and "linktype" not in paragraph


def test_a_link_to_an_unpublished_page_keeps_its_text_without_the_anchor(client, section, draft_section):
    paragraph = blocks_of(section_detail(client, section)["body"], "paragraph")[0]["value"]
    assert "and our plans.</p>" in paragraph
    assert "<p>No id, bad id, huge id.</p>" in paragraph, "a link to no page keeps its text"
    assert draft_section.url_path not in paragraph and "<a>" not in paragraph and "data-unlinked" not in paragraph


def test_private_files_are_left_out(client):
    private = ensure_in_review_collection()
    image = make_image_row("Unreviewed photo", collection=private)
    document = make_document("Unreviewed report", collection=private)
    section = ManualSectionPageFactory(
        body=raw(
            ("image", {"image": image.pk, "alt_text": "Photo"}),
            ("document", {"document": document.pk, "title": "Report"}),
            (
                "paragraph",
                f'<p><a linktype="document" id="{document.pk}">Report</a>'
                f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="Photo"/></p>',
            ),
        )
    )
    body = section_detail(client, section)["body"]
    assert [block["type"] for block in body] == ["paragraph"]
    assert body[0]["value"] == "<p>Report</p>"


def test_a_case_body_links_in_the_readers_locale(client):
    case = english_case()
    ru_case = russian_version(case)
    draft = ManualSectionPageFactory(title="Secret plans", publish=False, live=False)
    untranslated = CaseStudyPageFactory(
        slug="linking-case",
        context=f'<p>Like <a linktype="page" id="{case.pk}">Madrid</a>.</p>',
        results=f'<p>See <a linktype="page" id="{draft.pk}">plans</a>.</p>',
    )
    response = client.get(f"/api/v1/cases/{untranslated.pk}", {"locale": "ru", "fallback": 1})
    assert response.status_code == 200
    body = response.json()["body"]
    assert body["context"] == f'<p>Like <a href="{ru_case.url}">Madrid</a>.</p>'
    assert body["results"] == "<p>See plans.</p>"


def test_a_case_hero_image_has_renditions(client, image):
    case = CaseStudyPageFactory(slug="pictured-case", hero_image=image)
    hero = client.get(f"/api/v1/cases/{case.pk}").json()["hero_image"]
    assert [source["width"] for source in hero["srcset"]] == list(SRCSET_WIDTHS)
    assert hero["src"] == hero["srcset"][1] and (hero["width"], hero["height"]) == (1400, 700)
    assert client.get(hero["url"]).status_code == 200


def _body_with(images: list, document, case, draft_section) -> list:
    blocks = [("image", {"image": image.pk, "alt_text": "Bars", "caption": "", "credit": ""}) for image in images]
    paragraphs = [
        (
            "paragraph",
            f'<p><a linktype="page" id="{case.pk}">a</a> <a linktype="document" id="{document.pk}">b</a>'
            f' <a linktype="page" id="{draft_section.pk}">c</a></p>',
        )
        for _image in images
    ]
    references = [("case_reference", {"case": case.pk, "note": ""}) for _image in images]
    embeds = [("embed", f"{VIDEO}&t={number}") for number, _image in enumerate(images)]
    return raw(*blocks, *paragraphs, *references, *embeds)


def _queries(client, url: str) -> int:
    # Renditions made are kept in Wagtail's renditions cache, per process: count as a worker that
    # has not cached them does (the database has them).
    get_image_model().get_rendition_model().cache_backend.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_number_of_blocks(client, document, draft_section):
    case = english_case()
    images = [make_image_row(f"Chart {number}") for number in range(5)]
    one = ManualSectionPageFactory(title="One image", body=_body_with(images[:1], document, case, draft_section))
    five = ManualSectionPageFactory(title="Five images", body=_body_with(images, document, case, draft_section))
    urls = [f"/api/v1/sections/{page.pk}?locale=ru&fallback=1" for page in (one, five)]
    for url in urls:  # the first answer makes the renditions; a running server has them
        client.get(url)
    assert len(client.get(urls[1]).json()["body"]) == 20
    assert _queries(client, urls[0]) == _queries(client, urls[1])


def test_openapi_types_each_block(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    items = schemas["SectionDetail"]["properties"]["body"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    variants = {ref["$ref"].rsplit("/", 1)[1] for ref in items["oneOf"]}
    assert variants == {
        "HeadingBlockOut",
        "ParagraphBlockOut",
        "QuoteBlockOut",
        "ImageBlockOut",
        "CalloutBlockOut",
        "TableBlockOut",
        "DocumentBlockOut",
        "EmbedBlockOut",
        "CaseReferenceBlockOut",
    }
    assert set(items["discriminator"]["mapping"]) == set(BLOCK_TYPES)
    heading = schemas["HeadingBlockOut"]["properties"]
    assert heading["type"]["const"] == "heading"
    assert schemas[heading["value"]["$ref"].rsplit("/", 1)[1]]["properties"]["level"]["enum"] == ["h2", "h3"]
    image_value = schemas[schemas["ImageBlockOut"]["properties"]["value"]["$ref"].rsplit("/", 1)[1]]
    assert set(image_value["properties"]) == {"image", "alt_text", "caption", "credit"}
    assert set(schemas["ImageSources"]["properties"]) == {"id", "title", "src", "srcset"}
    reference = schemas[schemas["CaseReferenceBlockOut"]["properties"]["value"]["$ref"].rsplit("/", 1)[1]]
    assert reference["properties"]["case"]["$ref"].endswith("/CaseSummary")


def test_demo_sections_answer_typed_bodies(client):
    for section in ManualSectionPage.objects.live().filter(locale__language_code="ru")[:3]:
        body = section_detail(client, section)["body"]
        assert body and all(set(block) == {"type", "id", "value"} for block in body)
        for block in blocks_of(body, "case_reference"):
            assert block["value"]["case"]["locale"] == "ru"
