"""Every text a reader sees on a section is a translatable string, and the status counts it.

Tables were the gap: their headers and cells are ListBlock items, which wagtail-localize extracts
only when stored with item ids (manual/blocks.py). A body assigned as raw JSON with plain lists
(as the demo loader wrote it) kept them out of the translatable strings, so a Russian page showed
English cells while the status said 100 %.
"""

from __future__ import annotations

import importlib
import json
import re

import pytest
from django.apps import apps
from wagtail import blocks
from wagtail.models import Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from manual.blocks import list_items_with_ids
from manual.models import ManualSectionPage
from tests.support.factories import ManualSectionPageFactory

pytestmark = pytest.mark.django_db

TABLE = {
    "caption": "Costs of a pilot",
    "header": ["Item", "Cost"],
    "rows": [{"cells": ["Platform licence", "Twelve thousand euros"]}, {"cells": ["Moderation", "Two staff days"]}],
}
RUSSIAN = {
    "Budget pilot": "Пилотный бюджет",
    "budget-pilot": "budget-pilot",
    "How much a pilot costs.": "Сколько стоит пилот.",
    "Costs of a pilot": "Расходы на пилот",
    "Item": "Статья",
    "Cost": "Стоимость",
    "Platform licence": "Лицензия платформы",
    "Twelve thousand euros": "Двенадцать тысяч евро",
    "Moderation": "Модерация",
    "Two staff days": "Два рабочих дня сотрудников",
}
TABLE_TEXTS = {"Item", "Cost", "Platform licence", "Twelve thousand euros", "Moderation", "Two staff days"}


def new_section_with_table() -> ManualSectionPage:
    """A section whose body is raw JSON with plain lists, the way code (not the admin) writes it."""
    return ManualSectionPageFactory(
        title="Budget pilot",
        slug="budget-pilot",
        intro="How much a pilot costs.",
        body=json.dumps([{"type": "table", "value": TABLE}]),
        live=False,
        locale_aliases=True,
    )


def segment_texts(source: TranslationSource) -> set[str]:
    return set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))


def translate(source: TranslationSource, locale, mapping: dict[str, str], only=None) -> None:
    """Human translations of the source's segments (those in ``only`` when given)."""
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = segment.string.data
        if text in mapping and (only is None or text in only):
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={"data": mapping[text], "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
            )


def ru_status(client, page) -> dict:
    body = client.get("/api/v1/translations/status?locale=ru&type=section&page_size=100").json()
    return next(item for item in body["results"] if item["id"] == page.pk)["locales"]["ru"]


def test_table_header_and_cells_written_as_raw_json_are_segments(en):
    section = new_section_with_table()
    stored = section.body.raw_data[0]["value"]
    assert all(item["type"] == "item" and item["id"] for item in stored["header"]), "list items have ids"
    source, _created = TranslationSource.get_or_create_from_instance(section)
    assert TABLE_TEXTS | {"Costs of a pilot"} <= segment_texts(source)


def test_status_counts_table_cells_and_the_translation_shows_them(client, en, ru):
    section = new_section_with_table()
    source, _created = TranslationSource.get_or_create_from_instance(section)
    Translation.objects.create(source=source, target_locale=ru)
    translate(source, ru, RUSSIAN, only=set(RUSSIAN) - TABLE_TEXTS)

    status = ru_status(client, section)
    assert status["total"] == 10 and status["translated"] == 4, status
    assert status["percent"] == 40, "untranslated cells keep the page from 100 %"

    translate(source, ru, RUSSIAN)
    assert ru_status(client, section)["percent"] == 100
    # publish=False, then publish here: wagtail-localize would publish when the transaction commits.
    source.create_or_update_translation(ru, publish=False)
    translated = section.get_translation(ru)
    translated.save_revision().publish()
    html = client.get(translated.url).content.decode()
    assert "<caption>Расходы на пилот</caption>" in html
    assert '<th scope="col">Статья</th>' in html and '<th scope="col">Стоимость</th>' in html
    assert "<td>Двенадцать тысяч евро</td>" in html
    assert not TABLE_TEXTS & set(re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html))
    api = client.get(f"/api/v1/sections/{translated.pk}").json()
    table = next(block for block in api["body"] if block["type"] == "table")
    assert table["value"]["header"] == ["Статья", "Стоимость"]
    assert table["value"]["rows"][1]["cells"] == ["Модерация", "Два рабочих дня сотрудников"]


def _texts(block: blocks.Block, value) -> list[str]:
    """Every Char/Text/RichText value a reader would see in a body, whatever the nesting."""
    if isinstance(block, blocks.StreamBlock):
        return [text for child in value for text in _texts(child.block, child.value)]
    if isinstance(block, blocks.StructBlock):
        return [text for name, child in block.child_blocks.items() for text in _texts(child, value.get(name))]
    if isinstance(block, blocks.ListBlock):
        return [text for item in value for text in _texts(block.child_block, item)]
    if isinstance(block, blocks.CharBlock | blocks.TextBlock) and value:
        return [value]
    if isinstance(block, blocks.RichTextBlock) and value:
        return [re.sub(r"<[^>]+>", "", value.source)]
    return []


def test_every_text_of_every_demo_section_is_a_segment(en):
    sections = list(ManualSectionPage.objects.filter(locale=en))
    assert any(block.block_type == "table" for section in sections for block in section.body)
    for section in sections:
        source = TranslationSource.objects.get_for_instance(section)
        strings = {re.sub(r"<[^>]+>", "", text) for text in segment_texts(source)}
        missing = [text for text in _texts(section.body.stream_block, section.body) if text not in strings]
        assert missing == [], f"{section.slug}: shown but not translatable: {missing}"


def test_the_russian_demo_sections_show_russian_tables(client, ru):
    tables = 0
    for section in ManualSectionPage.objects.live().filter(locale=ru, alias_of__isnull=True):
        for block in section.body:
            if block.block_type != "table":
                continue
            tables += 1
            html = client.get(section.url).content.decode()
            for text in [*block.value["header"], *(cell for row in block.value["rows"] for cell in row["cells"])]:
                assert re.search("[А-Яа-яЁё]", text), f"{section.slug}: {text!r} is not Russian"
            assert f'<th scope="col">{block.value["header"][0]}</th>' in html
    assert tables >= 4


def test_the_migration_gives_stored_tables_ids_and_extracts_their_cells(client, en, ru):
    """A deployment made before the fix: row, revision and translation source hold plain lists."""
    section = new_section_with_table()
    source, _created = TranslationSource.get_or_create_from_instance(section)
    Translation.objects.create(source=source, target_locale=ru)
    legacy = [{"type": "table", "value": TABLE, "id": section.body.raw_data[0]["id"]}]
    ManualSectionPage.objects.filter(pk=section.pk).update(body=legacy)
    revision = section.latest_revision
    revision.content["body"] = json.dumps(legacy)
    revision.save(update_fields=["content"])
    content = json.loads(source.content_json)
    content["body"] = json.dumps(legacy)
    TranslationSource.objects.filter(pk=source.pk).update(content_json=json.dumps(content))
    source.refresh_from_db()
    source.refresh_segments()
    assert not TABLE_TEXTS & segment_texts(source), "plain lists are not extracted (the bug)"
    translate(source, ru, RUSSIAN)
    assert ru_status(client, section)["total"] == 4

    migration = importlib.import_module("manual.migrations.0003_table_list_items_with_ids")
    migration.forwards(apps, None)

    assert segment_texts(source) >= TABLE_TEXTS
    assert ru_status(client, section)["total"] == 10, "the status counts the cells at once"
    page = ManualSectionPage.objects.get(pk=section.pk)
    row = page.body.raw_data[0]["value"]
    assert [item["value"] for item in row["header"]] == ["Item", "Cost"], "texts are kept"
    revision_body = json.loads(Page.objects.get(pk=section.pk).latest_revision.content["body"])
    source_body = json.loads(json.loads(TranslationSource.objects.get(pk=source.pk).content_json)["body"])
    ids = [item["id"] for item in row["rows"][1]["value"]["cells"]]
    assert ids == [item["id"] for item in revision_body[0]["value"]["rows"][1]["value"]["cells"]]
    assert ids == [item["id"] for item in source_body[0]["value"]["rows"][1]["value"]["cells"]], (
        "the same item gets the same id everywhere, so a later sync keeps its translations"
    )


def test_list_items_with_ids_keeps_ids_and_texts():
    block = ManualSectionPage._meta.get_field("body").stream_block
    raw = [{"type": "table", "id": "t1", "value": TABLE}]
    once = list_items_with_ids(block, raw)
    assert list_items_with_ids(block, once) == once, "idempotent"
    assert list_items_with_ids(block, raw) == once, "deterministic"
    assert [item["value"] for item in once[0]["value"]["header"]] == TABLE["header"]
    assert raw[0]["value"] is TABLE and TABLE["header"] == ["Item", "Cost"], "the input is not changed"
