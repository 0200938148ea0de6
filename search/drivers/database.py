"""The database driver: the same answers as the engine's, from SQL, for the embedded default.

Words are reduced with the locale's Snowball stemmer (``search.languages``) so that "бюджета"
finds "бюджет" without an engine; facet counts are SQL aggregations, disjunctive like the
engine's (each facet counted with the other facets' filters, not its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, Field, IntegerField, Model, OuterRef, Q, QuerySet, Value, When
from django.utils.html import escape

from search.drivers.base import RawHit, RawResults, SearchDriver
from search.languages import WORD, stem, stems
from search.models import SearchDocument, SearchDocumentTerm
from search.query import SearchQuery
from search.registry import TYPE, facet_keys

FRAGMENT = 160


def _stem_string(text: str, language: str) -> str:
    return " " + " ".join(dict.fromkeys(stems(text, language))) + " "


def _delete(documents: QuerySet) -> None:
    """Delete documents and their terms: two statements, whatever their number.

    ``QuerySet.delete()`` would load every row and send delete signals for it (Wagtail listens to
    every model's deletions), which made a locale's rebuild spend seconds deleting.
    """
    try:
        select, params = documents.values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. page_id__in=[]: nothing can match
        return
    quote = connection.ops.quote_name
    terms, rows = SearchDocumentTerm._meta, SearchDocument._meta
    document_column, row_column = _column(SearchDocumentTerm, "document"), _column(SearchDocument, rows.pk.name)
    # Names come from the models and the subquery from the ORM; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(terms.db_table)} WHERE {quote(document_column)} IN ({select})", params)  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(rows.db_table)} WHERE {quote(row_column)} IN ({select})", params)  # noqa: S608


def _column(model: type[Model], name: str) -> str:
    """The database column of a field of ``model`` that has one (not a reverse relation)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None, f"{model.__name__}.{name} has no column"
    return field.column


def _insert_terms(rows: list[SearchDocument]) -> None:
    """Insert the facet terms of stored rows with one prepared statement (ten or so per document)."""
    quote = connection.ops.quote_name
    meta = SearchDocumentTerm._meta
    columns = ", ".join(quote(_column(SearchDocumentTerm, name)) for name in ("document", "key", "code"))
    keys = facet_keys()
    values = [
        (row.pk, key, code)
        for row in rows
        for key in keys
        for code in ([row.document[key]] if key == TYPE else row.document.get(key) or [])
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)", values)  # noqa: S608


class DatabaseDriver(SearchDriver):
    name = "database"

    # --- writing --------------------------------------------------------------------------------

    def _row(self, document: dict[str, Any]) -> SearchDocument:
        language = document["locale"]
        text = " ".join([document["title"], document.get("summary") or "", document.get("body") or ""])
        return SearchDocument(
            page_id=document["id"],
            translation_key=document["translation_key"],
            locale=language,
            type=document["type"],
            title=document["title"],
            summary=document.get("summary") or "",
            body=document.get("body") or "",
            url=document.get("url") or "",
            stems=_stem_string(text, language),
            title_stems=_stem_string(document["title"], language),
            start_year=document.get("start_year"),
            end_year=document.get("end_year"),
            published_at=document.get("published_at"),
            document=document,
        )

    def index(self, documents: list[dict[str, Any]]) -> None:
        """Replace the rows of these pages (delete + bulk insert: a handful of queries per batch)."""
        with transaction.atomic():
            _delete(SearchDocument.objects.filter(page_id__in=[document["id"] for document in documents]))
            rows = SearchDocument.objects.bulk_create([self._row(document) for document in documents], batch_size=500)
            if rows and rows[0].pk is None:  # backends that do not return keys from bulk inserts
                by_page = dict(
                    SearchDocument.objects.filter(page_id__in=[r.page_id for r in rows]).values_list("page_id", "pk")
                )
                for row in rows:
                    row.pk = by_page[row.page_id]
            _insert_terms(rows)

    def delete(self, locale_page_ids: dict[str, list[int]]) -> None:
        ids = [page_id for page_ids in locale_page_ids.values() for page_id in page_ids]
        with transaction.atomic():
            _delete(SearchDocument.objects.filter(page_id__in=ids))

    def rebuild(self, locale: str, documents: Iterable[dict[str, Any]]) -> int:
        documents = list(documents)
        with transaction.atomic():
            _delete(SearchDocument.objects.filter(locale=locale))
            self.index(documents)
        return len(documents)

    def count(self, locale: str) -> int:
        return SearchDocument.objects.filter(locale=locale).count()

    # --- reading --------------------------------------------------------------------------------

    def _scope(self, query: SearchQuery) -> tuple[QuerySet, dict[str, list[str]]]:
        """Documents in reach (locale, fallback, words, years) and the query stems per language."""
        languages = [query.locale]
        scope = Q(locale=query.locale)
        if query.fallback and query.locale != query.default_locale:
            translated = SearchDocument.objects.filter(translation_key=OuterRef("translation_key"), locale=query.locale)
            # Q & a conditional expression is a Q (Q._combine); django-stubs accept only Q & Q.
            scope |= Q(locale=query.default_locale) & ~Exists(translated)  # type: ignore[assignment]
            languages.append(query.default_locale)
        query_stems = {language: list(dict.fromkeys(stems(query.q, language))) for language in languages}
        if query.q:
            text = Q()
            for language in languages:
                words = Q(locale=language)
                for word in query_stems[language]:
                    words &= Q(stems__contains=f" {word} ")
                text |= words
            scope &= text
        documents = SearchDocument.objects.filter(scope)
        if query.year_from is not None:
            documents = documents.filter(start_year__gte=query.year_from)
        if query.year_to is not None:
            documents = documents.filter(start_year__lte=query.year_to)
        return documents, query_stems

    @staticmethod
    def _facet_filter(documents: QuerySet, filters: dict[str, tuple[str, ...]], skip: str | None = None) -> QuerySet:
        for key, codes in filters.items():
            if key != skip:
                terms = SearchDocumentTerm.objects.filter(document=OuterRef("pk"), key=key, code__in=codes)
                documents = documents.filter(Exists(terms))
        return documents

    def search(self, query: SearchQuery) -> RawResults:
        base, query_stems = self._scope(query)
        matching = self._facet_filter(base, query.filters)
        count = matching.count()
        sort = query.effective_sort
        if sort == "relevance":
            title_match = Q()
            for language, words in query_stems.items():
                in_title = Q(locale=language)
                for word in words:
                    in_title &= Q(title_stems__contains=f" {word} ")
                title_match |= in_title
            ordered = matching.annotate(
                title_match=Case(When(title_match, then=Value(1)), default=Value(0), output_field=IntegerField())
            ).order_by("-title_match", "-published_at", "page_id")
        elif sort == "newest":
            ordered = matching.order_by("-published_at", "page_id")
        else:
            ordered = matching.order_by("-start_year", "page_id")
        rows = list(ordered[query.offset : query.offset + query.page_size])
        hits = [RawHit(row.document, self._highlight(row, query_stems.get(row.locale, []))) for row in rows]
        facets = {}
        for key in facet_keys():
            counted = self._facet_filter(base, query.filters, skip=key)
            values = (
                SearchDocumentTerm.objects.filter(document__in=counted.values("pk"), key=key)
                .values("code")
                .annotate(n=Count("document_id"))
            )
            facets[key] = {value["code"]: value["n"] for value in values}
        return RawResults(count=count, hits=hits, facets=facets)

    def suggest(self, q: str, locale: str, limit: int) -> list[dict[str, Any]]:
        words = list(WORD.findall(q.lower()))
        if not words:
            return []
        documents = SearchDocument.objects.filter(locale=locale)
        for word in words[:-1]:
            documents = documents.filter(title__icontains=word)
        # The last word is being typed: match it as a prefix of a title word.
        documents = documents.filter(title__iregex=r"(^|\W)" + re.escape(words[-1]))
        return [
            {"id": row.page_id, "title": row.title, "url": row.url, "type": row.type, "locale": row.locale}
            for row in documents.order_by("title")[:limit]
        ]

    # --- highlighting ---------------------------------------------------------------------------

    @staticmethod
    def _mark(text: str, language: str, wanted: set[str]) -> tuple[str, bool]:
        """Escape ``text`` and wrap words whose stem is wanted in <mark>."""
        out: list[str] = []
        last, found = 0, False
        for match in WORD.finditer(text):
            if stem(match.group(), language) in wanted:
                out.append(escape(text[last : match.start()]))
                out.append(f"<mark>{escape(match.group())}</mark>")
                last, found = match.end(), True
        out.append(escape(text[last:]))
        return "".join(out), found

    def _highlight(self, row: SearchDocument, query_stems: list[str]) -> dict[str, list[str]]:
        if not query_stems:
            return {}
        wanted = set(query_stems)
        highlight: dict[str, list[str]] = {}
        for field_name in ("title", "summary"):
            marked, found = self._mark(getattr(row, field_name), row.locale, wanted)
            if found:
                highlight[field_name] = [marked]
        fragments: list[tuple[int, int]] = []  # (start, end) in the body
        body = row.body
        for match in WORD.finditer(body):
            if stem(match.group(), row.locale) in wanted:
                start = max(0, match.start() - FRAGMENT // 2)
                if fragments and start < fragments[-1][1]:
                    continue
                end = min(len(body), start + FRAGMENT)
                # Cut at spaces so that fragments hold whole words.
                if start > 0:
                    start = body.find(" ", start, match.start()) + 1 or start
                if end < len(body):
                    end = body.rfind(" ", match.end(), end) if body.rfind(" ", match.end(), end) > 0 else end
                fragments.append((start, end))
                if len(fragments) == 2:
                    break
        if fragments:
            highlight["body"] = [self._mark(body[start:end], row.locale, wanted)[0] for start, end in fragments]
        return highlight
