"""A front end of the manual built only from the generated API client (tests/test_generated_client.py).

This module is what a front-end developer writes: it knows the API only through ``manual_client``,
the package openapi-python-client generates from ``/api/v1/openapi.json`` (docs/api.md "From a URL
to a rendered page"). It never makes an HTTP request of its own and never touches the database.
The test type-checks it with mypy against the freshly generated package, so a change to the API
that breaks this front end fails CI even on a branch no test walks.
"""

from __future__ import annotations

from html import escape

from manual_client import Client
from manual_client.api.manual import (
    manual_api_find_page,
    manual_api_list_cases,
    manual_api_list_sections,
)
from manual_client.models import (
    CalloutBlockOut,
    CaseCard,
    CaseDetail,
    CaseReferenceBlockOut,
    Country,
    DocumentBlockOut,
    EmbedBlockOut,
    ErrorList,
    FoundCase,
    FoundPage,
    FoundSection,
    HeadingBlockOut,
    ImageBlockOut,
    LocaleCode,
    ParagraphBlockOut,
    QuoteBlockOut,
    SectionDetail,
    TableBlockOut,
)

Block = (
    CalloutBlockOut
    | CaseReferenceBlockOut
    | DocumentBlockOut
    | EmbedBlockOut
    | HeadingBlockOut
    | ImageBlockOut
    | ParagraphBlockOut
    | QuoteBlockOut
    | TableBlockOut
)


class PageNotFound(Exception):
    """The API has no public page at the path."""


def render_path(client: Client, path: str) -> str:
    """The HTML of the page a reader's URL path shows: routing, then the page type's renderer."""
    found = manual_api_find_page.sync(client=client, path=path)
    if isinstance(found, ErrorList) or found is None:
        raise PageNotFound(path)
    if isinstance(found, FoundCase):
        return render_case(found.detail)
    if isinstance(found, FoundSection):
        return render_section(client, found.detail)
    return render_page(client, found)


def render_page(client: Client, found: FoundPage) -> str:
    """A locale's home page: its title, the manual's sections and the latest cases."""
    locale = LocaleCode(found.detail.locale)
    # A link needs only the title (and `url`, always there): `fields=` selects it on every node.
    sections = manual_api_list_sections.sync(client=client, locale=locale, fields="title")
    # A card needs only these; `fields=` leaves the rest out of the answer (docs/api.md "Lists").
    cases = manual_api_list_cases.sync(client=client, locale=locale, page_size=5, fields="title,country")
    if isinstance(sections, ErrorList) or sections is None or isinstance(cases, ErrorList) or cases is None:
        raise PageNotFound(found.detail.url or str(found.id))
    items = "".join(
        f'<li><a href="{escape(node.url or "")}">{escape(node.title if isinstance(node.title, str) else "")}</a></li>'
        for node in sections.results
    )
    latest = "".join(render_card(case) for case in cases.results)
    return (
        f'<html lang="{escape(locale.value)}"><h1>{escape(found.detail.title)}</h1>'
        f"<nav><ul>{items}</ul></nav><section><ul>{latest}</ul></section></html>"
    )


def render_card(case: CaseCard) -> str:
    """A case in a list; a field `fields=` left out is UNSET in the generated client."""
    title = case.title if isinstance(case.title, str) else ""
    country = f" ({escape(case.country.name)})" if isinstance(case.country, Country) else ""
    return f'<li><a href="{escape(case.url or "")}">{escape(title)}</a>{country}</li>'


def render_section(client: Client, section: SectionDetail) -> str:
    """A manual section: title, intro, body blocks and the children's links."""
    body = "".join(render_block(block) for block in section.body)
    children = "".join(
        f'<li><a href="{escape(child.url or "")}">{escape(child.title)}</a></li>' for child in section.children
    )
    return (
        f'<html lang="{escape(section.locale)}"><h1>{escape(section.title)}</h1>'
        f"<p>{escape(section.intro)}</p>{body}<ul>{children}</ul></html>"
    )


def render_block(block: Block) -> str:
    """One body block, from what the API gives for it (rich text arrives cleaned and resolved)."""
    if isinstance(block, HeadingBlockOut):
        level = block.value.level.value
        return f"<{level}>{escape(block.value.text)}</{level}>"
    if isinstance(block, ParagraphBlockOut):
        return block.value
    if isinstance(block, QuoteBlockOut):
        return f"<blockquote>{escape(block.value.text)}<cite>{escape(block.value.attribution)}</cite></blockquote>"
    if isinstance(block, ImageBlockOut):
        image = block.value.image
        srcset = ", ".join(f"{escape(size.url)} {size.width}w" for size in image.srcset)
        return (
            f'<figure><img src="{escape(image.src.url)}" srcset="{srcset}" width="{image.src.width}" '
            f'height="{image.src.height}" alt="{escape(block.value.alt_text)}">'
            f"<figcaption>{escape(block.value.caption)} {escape(block.value.credit)}</figcaption></figure>"
        )
    if isinstance(block, CalloutBlockOut):
        callout = block.value
        return f'<aside data-kind="{callout.kind.value}"><strong>{escape(callout.title)}</strong>{callout.text}</aside>'
    if isinstance(block, TableBlockOut):
        table = block.value
        head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in table.header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row.cells) + "</tr>" for row in table.rows
        )
        return f"<table><caption>{escape(table.caption)}</caption><tr>{head}</tr>{rows}</table>"
    if isinstance(block, DocumentBlockOut):
        document = block.value.document
        return f'<a href="{escape(document.url)}">{escape(block.value.title or document.title)}</a>'
    if isinstance(block, CaseReferenceBlockOut):
        case = block.value.case
        note = escape(block.value.note)
        return f'<article><a href="{escape(case.url or "")}">{escape(case.title)}</a><p>{note}</p></article>'
    return f'<a href="{escape(block.value.url)}">{escape(block.value.title)}</a>'  # an embed: its link


def render_case(case: CaseDetail) -> str:
    """A case study: title, facts with their labels, summary and body."""
    facts = [("country", case.country.name), ("year", str(case.start_year))]
    for term in [*case.topics, *case.tools]:
        facts.append(("term", term.label))
    if case.government_level is not None:
        facts.append(("level", case.government_level.label))
    facts_html = "".join(f'<dd data-fact="{name}">{escape(value)}</dd>' for name, value in facts)
    metrics = "".join(
        f"<li>{escape(metric.label)}: {escape(f'{metric.value:g}')} {escape(metric.unit)}</li>"
        for metric in case.metrics
    )
    # The body's parts are rich text the API has already cleaned and resolved (docs/api.md).
    parts = case.body
    body = "".join(
        f'<section data-part="{name}">{html}</section>'
        for name, html in (
            ("context", parts.context),
            ("objectives", parts.objectives),
            ("approach", parts.approach),
            ("technology", parts.technology),
            ("results", parts.results),
            ("lessons", parts.lessons),
            ("transferability", parts.transferability),
        )
        if html
    )
    return (
        f'<html lang="{escape(case.locale)}"><h1>{escape(case.title)}</h1><p>{escape(case.summary)}</p>'
        f"<dl>{facts_html}</dl><ul>{metrics}</ul>{body}</html>"
    )
