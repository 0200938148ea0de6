"""StreamField blocks of manual sections.

Every text a visitor reads is a Char/Text/RichText block so that wagtail-localize extracts it for
translators; the table is built from Struct/ListBlocks for that reason (TableBlock is not
translatable, wagtail-localize #302).
"""

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
