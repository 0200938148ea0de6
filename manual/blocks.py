"""StreamField blocks of manual sections.

Every text a visitor reads is a Char/Text/RichText block so that wagtail-localize extracts it for
translators; the table is built from Struct/ListBlocks for that reason (TableBlock is not
translatable, wagtail-localize #302).

wagtail-localize extracts a ListBlock's items only when they are stored in Wagtail's block format
(``{"type": "item", "value": ..., "id": ...}``): the item's ``id`` is its segment path, and a list
stored as plain values gets fresh random ids every time it is loaded. The admin always writes that
format, but code that assigns raw JSON (the demo loader, imports) writes plain lists, which left
table headers and cells out of the translatable strings while the status said 100 %. Hence
``list_items_with_ids``, applied whenever a section is cleaned (``ManualSectionPage.clean``), and
the data migration ``0003_table_list_items_with_ids`` for what was stored before.
"""

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

INLINE_FEATURES = ["bold", "italic", "link", "document-link"]
PARAGRAPH_FEATURES = [*INLINE_FEATURES, "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200, label=_("Heading"))
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2")

    class Meta:
        icon = "title"
        template = "manual/blocks/heading.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "openquote"
        template = "manual/blocks/quote.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text=_("Describe the image for people who cannot see it; leave empty if purely decorative."),
    )
    caption = blocks.CharBlock(required=False, max_length=255)
    # Wagtail's image model has no author field: who made the image is said where it is used.
    credit = blocks.CharBlock(
        required=False, max_length=255, help_text=_("Photographer or source, shown with the image.")
    )

    class Meta:
        icon = "image"
        template = "manual/blocks/image.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))], default="note"
    )
    title = blocks.CharBlock(required=False, max_length=200)
    text = blocks.RichTextBlock(features=INLINE_FEATURES)

    class Meta:
        icon = "warning"
        template = "manual/blocks/callout.html"


class TableRowBlock(blocks.StructBlock):
    cells = blocks.ListBlock(blocks.CharBlock(max_length=500, required=False))


class TableBlock(blocks.StructBlock):
    """A simple data table whose every cell is a translatable string."""

    caption = blocks.CharBlock(required=False, max_length=255)
    header = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("Column headings"))
    rows = blocks.ListBlock(TableRowBlock())

    class Meta:
        icon = "table"
        template = "manual/blocks/table.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, max_length=255, help_text=_("Defaults to the document title."))

    class Meta:
        icon = "doc-full"
        template = "manual/blocks/document.html"


class CaseStudyReferenceBlock(blocks.StructBlock):
    case = blocks.PageChooserBlock(page_type="manual.CaseStudyPage")
    note = blocks.CharBlock(required=False, max_length=500)

    class Meta:
        icon = "link"
        template = "manual/blocks/case_reference.html"


class SectionBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, icon="pilcrow")
    quote = QuoteBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    table = TableBlock()
    document = DocumentBlock()
    embed = EmbedBlock(max_width=800, icon="media")
    case_reference = CaseStudyReferenceBlock()


# Namespace of the ids given to list items stored without one (uuid5 of their position).
LIST_ITEM_NAMESPACE = uuid.UUID("7f0c2a4e-3b8d-4f61-9a57-1c2e5d8b9a10")


def list_items_with_ids(block: blocks.Block, value: Any, path: str = "") -> Any:
    """``value`` (raw JSON of ``block``) with every ListBlock item in block format; stored ids are kept.

    Works on the stored JSON, not on Python values, so nothing else in the stream is re-serialised.
    A new item id is derived from its position under its stream block's id, so the page row, its
    revisions and wagtail-localize's copy of the same body give the same item the same id (the id
    is the segment's context: different ids would lose its translations at the next sync).
    """
    if isinstance(block, blocks.ListBlock) and isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            if block._item_is_in_block_format(item):
                items.append({**item, "value": list_items_with_ids(block.child_block, item["value"], item["id"])})
            else:
                item_id = str(uuid.uuid5(LIST_ITEM_NAMESPACE, f"{path}/{index}"))
                items.append(
                    {"type": "item", "value": list_items_with_ids(block.child_block, item, item_id), "id": item_id}
                )
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
            name: list_items_with_ids(block.child_blocks[name], item, f"{path}/{name}")
            if name in block.child_blocks
            else item
            for name, item in value.items()
        }
    return value
