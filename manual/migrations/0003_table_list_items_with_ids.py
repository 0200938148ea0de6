"""Store every ListBlock item of section bodies in Wagtail's block format, with a stable id.

wagtail-localize extracts list items (table headers and cells) only in that format; bodies written
as raw JSON with plain lists (the demo loader did) kept their tables out of the translatable
strings, so translations stayed English there while the status said 100 % (manual/blocks.py).

Converted: section pages (every locale), their revisions, and the content wagtail-localize keeps
of each translation source. Texts are unchanged; only ids are added. Then the segments of the
sources that changed are extracted again, so the status counts the table texts at once (as
missing in the translations) instead of after the next "Sync translated pages".

The conversion works on the stored JSON with the block definitions of this migration's state, and
is frozen here rather than imported from manual.blocks, so later code changes cannot alter it.
"""

import json
import uuid

from django.db import migrations


def _item_is_in_block_format(item):
    return isinstance(item, dict) and "id" in item and "value" in item and item.get("type") == "item"


# Namespace of the ids given to list items stored without one (uuid5 of their position).
LIST_ITEM_NAMESPACE = uuid.UUID("7f0c2a4e-3b8d-4f61-9a57-1c2e5d8b9a10")


def list_items_with_ids(block, value, path=""):
    from wagtail import blocks

    if isinstance(block, blocks.ListBlock) and isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            if _item_is_in_block_format(item):
                items.append({**item, "value": list_items_with_ids(block.child_block, item["value"], item["id"])})
            else:
                item_id = str(uuid.uuid5(LIST_ITEM_NAMESPACE, f"{path}/{index}"))
                items.append({"type": "item", "value": list_items_with_ids(block.child_block, item, item_id), "id": item_id})
        return items
    if isinstance(block, blocks.StreamBlock) and isinstance(value, list):
        children = []
        for child in value:
            if isinstance(child, dict) and child.get("type") in block.child_blocks:
                child = {**child, "id": child.get("id") or str(uuid.uuid4())}
                child["value"] = list_items_with_ids(block.child_blocks[child["type"]], child.get("value"), child["id"])
            children.append(child)
        return children
    if isinstance(block, blocks.StructBlock) and isinstance(value, dict):
        return {
            name: list_items_with_ids(block.child_blocks[name], item, f"{path}/{name}") if name in block.child_blocks else item
            for name, item in value.items()
        }
    return value


def _convert_json_body(stream_block, content):
    """``content`` holds the body as a JSON string (revisions, translation sources); None if unchanged."""
    body = content.get("body")
    if not isinstance(body, str) or not body:
        return None
    raw = json.loads(body)
    converted = list_items_with_ids(stream_block, raw)
    if converted == raw:
        return None
    content["body"] = json.dumps(converted)
    return content


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ManualSectionPage = apps.get_model("manual", "ManualSectionPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    TranslationSource = apps.get_model("wagtail_localize", "TranslationSource")
    stream_block = ManualSectionPage._meta.get_field("body").stream_block

    for page in ManualSectionPage.objects.only("pk", "body").iterator():
        raw = list(page.body.raw_data)
        converted = list_items_with_ids(stream_block, raw)
        if converted != raw:
            ManualSectionPage.objects.filter(pk=page.pk).update(body=converted)

    content_type = ContentType.objects.filter(app_label="manual", model="manualsectionpage").first()
    if content_type is None:
        return  # a new database: nothing stored yet
    for revision in Revision.objects.filter(content_type=content_type).only("pk", "content").iterator():
        content = _convert_json_body(stream_block, revision.content)
        if content is not None:
            Revision.objects.filter(pk=revision.pk).update(content=content)

    changed_sources = []
    for source in TranslationSource.objects.filter(specific_content_type=content_type).only("pk", "content_json"):
        content = _convert_json_body(stream_block, json.loads(source.content_json))
        if content is not None:
            TranslationSource.objects.filter(pk=source.pk).update(content_json=json.dumps(content))
            changed_sources.append(source.pk)
    if changed_sources:
        _extract_segments_again(changed_sources)


def _extract_segments_again(source_ids):
    # Segment extraction is wagtail-localize's code and needs its real model. Only databases that
    # hold sources with plain lists get here (written before this migration; ManualSectionPage.clean
    # prevents new ones), and the wagtail_localize migration this one depends on is its latest.
    from wagtail_localize.models import TranslationSource

    for source in TranslationSource.objects.filter(pk__in=source_ids):
        source.refresh_segments()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("manual", "0002_machinestringreview"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
