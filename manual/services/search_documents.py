"""The manual's pages as search documents: the fields of case studies and sections.

The builders of the types ``manual.searchable`` registers with the search app; each reads a batch
of pages with a constant number of queries (no taxonomy term objects are loaded: codes come from
the link tables). ``search.documents`` adds the fields every document has.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import ManyToManyRel
from wagtail.models import Page

from manual.models import BODY_SECTIONS, CaseStudyPage, ManualSectionPage
from manual.services.publication import public_pages
from manual.services.taxonomies import TAXONOMY_KINDS
from manual.taxonomy_registry import CaseFilter, case_filters
from search.documents import PAGE_FIELDS, html_text, id_list

# The case's own fields a document's text and years come from (``_case_fields``).
CASE_TEXT_FIELDS = ("summary", "organisation", "city", "region", *BODY_SECTIONS, "start_year", "end_year")
# Keys of StreamField block values that hold no visible text (ids, choices, references).
NON_TEXT_BLOCK_KEYS = frozenset({"id", "type", "level", "kind", "image", "document", "case"})


def indexable(model: type[Page]) -> Any:
    """The pages of ``model`` that are documents: public content (aliases and stand-ins are not)."""
    return public_pages(Page).type(model)


def case_fields(page_ids: list[int]) -> list[tuple[Page, dict[str, Any]]]:
    filters = case_filters()
    single = [kind.field for kind in TAXONOMY_KINDS if not kind.many]
    many = {kind.field for kind in TAXONOMY_KINDS if kind.many}
    # Only the columns a document reads: a case row has some sixty, and loading every one (and each
    # single term's whole row) was a quarter of a rebuild chunk's reading (issue 16).
    columns = [
        *PAGE_FIELDS,
        *CASE_TEXT_FIELDS,
        *(f"{name}__code" for name in single),
        *(item.field for item in filters if item.field not in many and item.field not in single),
    ]
    cases = list(
        public_pages(CaseStudyPage).filter(pk__in=id_list(page_ids)).select_related("locale", *single).only(*columns)
    )
    case_ids = [page.pk for page in cases]
    codes = {field: _term_codes(field, case_ids) for field in many}
    return [(page, _case_fields(page, codes, filters)) for page in cases]


def section_fields(page_ids: list[int]) -> list[tuple[Page, dict[str, Any]]]:
    sections = (
        public_pages(ManualSectionPage)
        .filter(pk__in=id_list(page_ids))
        .select_related("locale")
        .only(*PAGE_FIELDS, "intro", "body")
    )
    return [(page, {"summary": page.intro, "body": _stream_text(page.body)}) for page in sections]


def _term_codes(field_name: str, case_ids: list[int]) -> dict[int, list[str]]:
    """Codes of a case's many-to-many terms, read from the link table in one query (no term objects)."""
    field = CaseStudyPage._meta.get_field(field_name)
    if isinstance(field, ManyToManyRel):  # a kind whose relation is declared on its terms
        relation = field.field
        case, term = relation.m2m_reverse_field_name(), relation.m2m_field_name()
    else:
        relation = field
        case, term = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    link = relation.remote_field.through  # the link table's model: set once the apps are loaded
    assert link is not None
    rows = (
        link._default_manager.filter(**{f"{case}_id__in": id_list(case_ids)})
        .order_by(*(f"{term}__{name}" for name in field.related_model._meta.ordering))
        .values_list(f"{case}_id", f"{term}__code")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, code in rows:
        found[case_id].append(code)
    return found


def _case_fields(
    page: CaseStudyPage, codes: dict[str, dict[int, list[str]]], filters: tuple[CaseFilter, ...]
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": page.summary,
        "body": " ".join(
            [page.organisation, page.city, page.region] + [html_text(getattr(page, name)) for name in BODY_SECTIONS]
        ),
        "start_year": page.start_year,
        "end_year": page.end_year,
    }
    for item in filters:
        # Many-valued terms come from the batch read of their link tables; the others are on the row.
        fields[item.key] = codes[item.field].get(page.pk, []) if item.field in codes else item.codes_of(page)
    return fields


def _stream_text(stream: Any) -> str:
    """The visible text of a StreamField: every string the blocks hold, tags removed."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(html_text(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in NON_TEXT_BLOCK_KEYS:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(stream.get_prep_value() if hasattr(stream, "get_prep_value") else stream)
    return " ".join(part for part in parts if part)
