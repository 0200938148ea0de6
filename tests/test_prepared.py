"""``core.prepared.PreparedRead``: the same rows as the ORM's, for every value, on the run's database;
its SQL compiled once; a read its contract cannot serve refused on its first call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Value
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from core.prepared import MAX_LISTED, PreparedRead
from manual.models import AwaitingTranslation, CaseStudyMetric, CaseStudyPage, RelatedCase

pytestmark = pytest.mark.django_db


def fields(instance, names):
    return {name: getattr(instance, name) for name in names}


def case_with_locale(page_id: int):
    awaiting = AwaitingTranslation.objects.filter(page_id=OuterRef("pk"))
    return (
        CaseStudyPage.objects.select_related("locale")
        .annotate(awaiting=Exists(awaiting))
        .filter(pk=page_id)
        .order_by("pk")[:1]
    )


def test_instances_match_the_orm_with_joins_annotations_and_converted_columns(en_cases):
    read = PreparedRead(case_with_locale, int)
    for case in en_cases.order_by("pk")[:4]:
        (expected,) = case_with_locale(case.pk)
        (got,) = read(case.pk)
        assert type(got) is CaseStudyPage
        names = ["pk", "title", "url_path", "latitude", "first_published_at", "translation_key", "locale_id"]
        assert fields(got, names) == fields(expected, names)
        assert got.awaiting is expected.awaiting is False
        assert got.locale == expected.locale and got.locale.language_code == "en"
        assert got._state.db == "default" and not got._state.adding
    assert read(0) == []


def test_the_sql_is_compiled_once_and_runs_as_one_counted_query(en_cases, monkeypatch):
    read = PreparedRead(case_with_locale, int)
    first, second = en_cases.order_by("pk")[:2]
    read(first.pk)
    compiled = []
    compiler_class = type(Page.objects.all().query.get_compiler("default"))
    original = compiler_class.as_sql

    def counted(self, *args, **kwargs):
        compiled.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiler_class, "as_sql", counted)
    with CaptureQueriesContext(connection) as queries:
        (got,) = read(second.pk)
    assert got.pk == second.pk
    assert len(queries) == 1 and compiled == []


def test_lists_of_each_length_and_uuids_and_prefixes(en_cases, ru):
    cases = list(en_cases.order_by("pk")[:5])

    def versions(keys, prefix):
        return Page.objects.filter(translation_key__in=keys, path__startswith=prefix).order_by("path")

    read = PreparedRead(versions, [type(cases[0].translation_key)], str)
    home_path = cases[0].path[: Page.steplen]
    for count in (0, 1, 3, 5):
        keys = [case.translation_key for case in cases[:count]]
        expected = [page.pk for page in versions(keys, home_path)]
        assert [page.pk for page in read(keys, home_path)] == expected
        assert len(expected) >= count
    # A prefix is escaped for LIKE as Django escapes it: "_" and "%" are letters, not wildcards.
    assert read([cases[0].translation_key], home_path[:-1] + "_") == []
    assert read([cases[0].translation_key], "%") == []


def test_values_list_rows_of_a_union_are_converted_as_the_orms(en_cases):
    def metrics_and_links(page_ids):
        metrics = CaseStudyMetric.objects.filter(page_id__in=page_ids).annotate(kind=Value(0)).order_by()
        related = RelatedCase.objects.filter(page_id__in=page_ids).annotate(kind=Value(1)).order_by()
        return metrics.values_list("kind", "page_id", "sort_order").union(
            related.values_list("kind", "page_id", "sort_order"), all=True
        )

    ids = list(en_cases.values_list("pk", flat=True))
    read = PreparedRead(metrics_and_links, [int])
    expected = sorted(metrics_and_links(ids))
    assert expected, "the demo cases have metrics"
    assert sorted(read(ids)) == expected
    too_many = [*ids, *range(10**6, 10**6 + MAX_LISTED)]
    assert sorted(read(too_many)) == expected  # past the limit: the ORM's own read


def test_a_value_that_is_not_a_parameter_of_the_sql_is_refused():
    def deeper_than(depth):
        # The value chooses the query instead of filling it: its rows would be the stand-in's.
        return Page.objects.filter(Q(depth__gte=2) if depth > 1 else Q(depth=1))

    with pytest.raises(ImproperlyConfigured, match="values \\[0\\]"):
        PreparedRead(deeper_than, int)(3)

    def numbered(number):
        return Page.objects.annotate(number=Value(number)).values_list("pk", "number")

    with pytest.raises(ImproperlyConfigured, match="model instances or values_list rows|every value"):
        PreparedRead(lambda number: numbered(number).values("pk"), int)(1)


def test_a_queryset_with_its_rows_read_answers_iteration_and_refines_anew(en_cases):
    def pages(ids):
        return Page.objects.filter(pk__in=ids).order_by("pk")

    ids = list(en_cases.order_by("pk").values_list("pk", flat=True)[:3])
    read = PreparedRead(pages, [int])
    read(ids)  # prepared
    with CaptureQueriesContext(connection) as queries:
        rows = read.queryset(ids)
        assert [page.pk for page in rows] == ids
        assert len(rows) == 3 and rows[0].pk == ids[0]
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert list(rows.filter(pk=ids[1]).values_list("pk", flat=True)) == [ids[1]]
    assert len(queries) == 1
