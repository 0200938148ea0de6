"""The database driver: the same answers as the engine's, from SQL, for the embedded default.

Words are reduced with the locale's Snowball stemmer (``search.languages``) so that "бюджета"
finds "бюджет" without an engine, and matched with accents folded ("Gdansk" finds "Gdańsk") in
stored folded columns, so SQLite and PostgreSQL answer alike without a database extension; the
form typed ranks first. Facet counts are SQL aggregations, disjunctive like the engine's (each
facet counted with the other facets' filters, not its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, Field, IntegerField, Model, OuterRef, Q, QuerySet, Value, When
from django.utils.html import escape

from search.documents import id_list
from search.drivers.base import BODY_FRAGMENT_SIZE, RawHit, RawResults, SearchDriver
from search.glossary import Expansion
from search.languages import WORD, fold, folded_stems, stem, stems, words
from search.models import SearchDocument, SearchDocumentTerm
from search.query import SearchQuery
from search.registry import TYPE, facet_keys


def _spaced(items: Iterable[str]) -> str:
    """Distinct items between spaces, with a leading and trailing one, so " item " matches."""
    return " " + " ".join(dict.fromkeys(items)) + " "


def _all_in(column: str, items: Iterable[str], prefix: bool = False) -> Q:
    """Every item is a word (or, ``prefix``, the beginning of a word) of a spaced column."""
    condition = Q()
    for item in items:
        condition &= Q(**{f"{column}__contains": f" {item}" if prefix else f" {item} "})
    return condition


def _expanded(column: str, expansion: Expansion, facets: bool = True) -> Q:
    """Each group of ``expansion`` (``search.glossary``): one of its terms in ``column`` (in its
    locale's stems, folded) or, with ``facets``, one of its facet values."""
    condition = Q()
    for group in expansion.groups:
        either = Q()
        for term in group.terms:
            either |= _all_in(column, folded_stems(term, expansion.locale))
        for key, code in group.facets if facets else ():
            either |= Q(Exists(SearchDocumentTerm.objects.filter(document=OuterRef("pk"), key=key, code=code)))
        condition &= either
    return condition


def _ranked(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def text_columns(document: dict[str, Any]) -> dict[str, str]:
    """The columns a search matches a document's words in, computed from the document."""
    language, title = document["locale"], document["title"]
    text = " ".join([title, document.get("summary") or "", document.get("body") or ""])
    # Each distinct word once: a column holds each stem once, in the order of its first word
    # (``_spaced``), and that word is a first occurrence too, so the columns are those of every
    # word (``stems``, ``folded_stems``) at a fraction of the cost of a rebuild (issue 16).
    text_stems = [stem(word, language) for word in dict.fromkeys(words(text))]
    title_words = list(dict.fromkeys(words(title)))
    title_stems = [stem(word, language) for word in title_words]
    return {
        "stems": _spaced(text_stems),
        "title_stems": _spaced(title_stems),
        "folded_stems": _spaced(map(fold, text_stems)),
        "title_folded_stems": _spaced(map(fold, title_stems)),
        "title_words": _spaced(title_words),
        "title_folded_words": _spaced(map(fold, title_words)),
    }


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


def _row_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A document's ``SearchDocument`` row, field by field (every field but the key)."""
    return {
        "page_id": document["id"],
        "translation_key": document["translation_key"],
        "locale": document["locale"],
        "type": document["type"],
        "title": document["title"],
        "summary": document.get("summary") or "",
        "body": document.get("body") or "",
        "url": document.get("url") or "",
        **text_columns(document),
        "start_year": document.get("start_year"),
        "end_year": document.get("end_year"),
        "published_at": document.get("published_at"),
        "document": document,
    }


def _insert_rows(documents: list[dict[str, Any]]) -> dict[int, int]:
    """Insert the rows of documents with one prepared statement; returns their keys by page id.

    Each value is prepared by its field as ``bulk_create`` prepares it, without the statement
    compiled anew for every 500 rows (a third of a rebuild's database writing, issue 16).
    """
    if not documents:
        return {}
    quote = connection.ops.quote_name
    meta = SearchDocument._meta
    fields = [cast(Field, meta.get_field(name)) for name in _row_fields(documents[0])]
    columns = ", ".join(quote(_column(SearchDocument, field.name)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = []
    for document in documents:
        row = _row_fields(document).values()
        values.append([field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)])
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", values)  # noqa: S608
    rows = SearchDocument.objects.filter(page_id__in=id_list(document["id"] for document in documents))
    return dict(rows.values_list("page_id", "pk"))


def _insert_terms(documents: list[dict[str, Any]], keys_by_page: dict[int, int]) -> None:
    """Insert the facet terms of stored documents with one prepared statement (ten or so per document)."""
    quote = connection.ops.quote_name
    meta = SearchDocumentTerm._meta
    columns = ", ".join(quote(_column(SearchDocumentTerm, name)) for name in ("document", "key", "code"))
    keys = facet_keys()
    values = [
        (keys_by_page[document["id"]], key, code)
        for document in documents
        for key in keys
        for code in ([document[key]] if key == TYPE else document.get(key) or [])
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)", values)  # noqa: S608


class DatabaseDriver(SearchDriver):
    name = "database"

    # --- writing --------------------------------------------------------------------------------

    def index(self, documents: list[dict[str, Any]]) -> None:
        """Replace the rows of these pages (delete + insert: a handful of queries per batch)."""
        with transaction.atomic():
            _delete(SearchDocument.objects.filter(page_id__in=id_list(document["id"] for document in documents)))
            _insert_terms(documents, _insert_rows(documents))

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
        for code, translated_in in query.reached_from():
            translated = SearchDocument.objects.filter(
                translation_key=OuterRef("translation_key"), locale__in=translated_in
            )
            # Q & a conditional expression is a Q (Q._combine); django-stubs accept only Q & Q.
            scope |= Q(locale=code) & ~Exists(translated)  # type: ignore[assignment]
            languages.append(code)
        query_stems = {language: list(dict.fromkeys(stems(query.q, language))) for language in languages}
        if query.q:
            text = Q()
            for language in languages:
                text |= Q(locale=language) & _all_in("folded_stems", map(fold, query_stems[language]))
            for expansion in query.expansions:
                text |= Q(locale=expansion.locale) & _expanded("folded_stems", expansion)
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
            # Title matches first; among them (and among the rest) the words as typed, accents
            # included, before their folded forms.
            exact_title, title, exact = Q(), Q(), Q()
            for language, words_stems in query_stems.items():
                in_language = Q(locale=language)
                exact_title |= in_language & _all_in("title_stems", words_stems)
                title |= in_language & _all_in("title_folded_stems", map(fold, words_stems))
                exact |= in_language & _all_in("stems", words_stems)
            for expansion in query.expansions:
                title |= Q(locale=expansion.locale) & _expanded("title_folded_stems", expansion, facets=False)
            # With a fallback, the query's locale first, whatever else matches (as the engine sorts).
            ordered = matching.annotate(
                same_language=_ranked(Q(locale=query.locale)),
                exact_title_match=_ranked(exact_title),
                title_match=_ranked(title),
                exact_match=_ranked(exact),
            ).order_by(
                "-same_language", "-title_match", "-exact_title_match", "-exact_match", "-published_at", "page_id"
            )
        elif sort == "newest":
            ordered = matching.order_by("-published_at", "page_id")
        else:
            ordered = matching.order_by("-start_year", "page_id")
        rows = list(ordered[query.offset : query.offset + query.page_size])
        for expansion in query.expansions:  # the alternatives found are highlighted too
            alternatives = stems(" ".join(expansion.terms()), expansion.locale)
            query_stems[expansion.locale] = list(dict.fromkeys([*query_stems[expansion.locale], *alternatives]))
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
        """Titles with a word beginning with each word typed, accents folded; as typed first."""
        typed = words(q)
        if not typed:
            return []
        documents = SearchDocument.objects.filter(locale=locale).filter(
            _all_in("title_folded_words", map(fold, typed), prefix=True)
        )
        ordered = documents.annotate(exact_match=_ranked(_all_in("title_words", typed, prefix=True)))
        return [
            {"id": row.page_id, "title": row.title, "url": row.url, "type": row.type, "locale": row.locale}
            for row in ordered.order_by("-exact_match", "title")[:limit]
        ]

    # --- highlighting ---------------------------------------------------------------------------

    @staticmethod
    def _wanted(word: str, language: str, wanted: set[str]) -> bool:
        """Whether ``word``'s folded stem is one of the query's (``wanted``)."""
        return fold(stem(word, language)) in wanted

    def _mark(self, text: str, language: str, wanted: set[str]) -> tuple[str, bool]:
        """Escape ``text`` and wrap words whose folded stem is wanted in <mark>."""
        out: list[str] = []
        last, found = 0, False
        for match in WORD.finditer(text):
            if self._wanted(match.group(), language, wanted):
                out.append(escape(text[last : match.start()]))
                out.append(f"<mark>{escape(match.group())}</mark>")
                last, found = match.end(), True
        out.append(escape(text[last:]))
        return "".join(out), found

    def _highlight(self, row: SearchDocument, query_stems: list[str]) -> dict[str, list[str]]:
        if not query_stems:
            return {}
        wanted = {fold(word) for word in query_stems}
        highlight: dict[str, list[str]] = {}
        for field_name in ("title", "summary"):
            marked, found = self._mark(getattr(row, field_name), row.locale, wanted)
            if found:
                highlight[field_name] = [marked]
        body = row.body
        # One fragment of the body, around its first match (base.BODY_FRAGMENT_SIZE).
        match = next((m for m in WORD.finditer(body) if self._wanted(m.group(), row.locale, wanted)), None)
        if match is not None:
            start = max(0, match.start() - BODY_FRAGMENT_SIZE // 2)
            end = min(len(body), start + BODY_FRAGMENT_SIZE)
            # Cut at spaces so that the fragment holds whole words.
            if start > 0:
                start = body.find(" ", start, match.start()) + 1 or start
            if end < len(body):
                end = body.rfind(" ", match.end(), end) if body.rfind(" ", match.end(), end) > 0 else end
            highlight["body"] = [self._mark(body[start:end], row.locale, wanted)[0]]
        return highlight
