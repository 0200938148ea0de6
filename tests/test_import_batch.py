"""``import_cases --publish`` at scale: one transaction and one report line per case, and what
publishing does beyond the pages (search index, HTTP cache purges, sitemap, open data) done once
at the end of the import (``core.side_effects.batch``), also when it stops half-way."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex

from core import frontend_cache as cache_purges
from core import side_effects
from manual.services import sitemap
from opendata.services import dumps
from search.models import IndexOutbox, SearchDocument
from search.services import indexing
from submissions.management.commands.import_cases import Progress
from submissions.models import ImportedCase
from submissions.services import imports
from tests.test_frontend_cache import Recorder, cache_url  # noqa: F401 - the purge listener fixture
from tests.test_import_cases import case, outcomes, run, write

pytestmark = pytest.mark.django_db


def counted(monkeypatch, module, name: str) -> list:
    """Calls of ``module.name`` (still called through)."""
    calls: list = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.usefixtures("cache_url")
def test_an_import_purges_indexes_and_renews_the_sitemap_once_at_the_end(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    purge_batches = counted(monkeypatch, cache_purges, "enqueue_invalidation")
    outbox_rounds = counted(monkeypatch, indexing, "enqueue_processing")
    generations = counted(monkeypatch, sitemap, "_new_generation")
    refreshes = counted(monkeypatch, dumps, "enqueue_refresh")
    reference_tasks: list = []
    task = side_effects.update_reference_indexes_task

    class Queue:  # the task as the batch enqueues it, each call recorded
        @staticmethod
        def enqueue(*args):
            reference_tasks.append((args, {}))
            return task.enqueue(*args)

    monkeypatch.setattr(side_effects, "update_reference_indexes_task", Queue)
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [case(n) for n in range(5)]), "--publish")
    assert (status, outcomes(lines)) == (0, ["created"] * 5)
    pages = [record.page for record in ImportedCase.objects.order_by("external_id")]
    assert len(purge_batches) == 1, "one purge batch for the whole import"
    assert len(outbox_rounds) == 1 and len(generations) == 1 and len(refreshes) == 1
    # Wagtail's reference index: one task for the five cases' pages, with every one of them.
    page_tasks = [args for args, _ in reference_tasks if args[:2] == ("manual", "casestudypage")]
    assert len(page_tasks) == 1 and {str(page.pk) for page in pages} <= set(page_tasks[0][2])
    assert ReferenceIndex.objects.filter(object_id__in=[str(page.pk) for page in pages]).exists()
    purged = {path for method, path, _prefix in Recorder.seen if method == "PURGE"}
    assert {page.url for page in pages} <= purged, "every imported case's URL, in the one batch"
    assert ("BAN", "/", "/sitemap") in Recorder.seen
    assert not IndexOutbox.objects.exists()
    assert SearchDocument.objects.filter(page_id__in=[page.pk for page in pages]).count() == 5


def test_a_bad_case_in_the_middle_fails_alone_and_the_others_are_committed_and_reported(tmp_path, monkeypatch):
    publish = imports._publish

    def failing(revision, submission, user, page=None):
        if revision.content["title"] == "Imported case 2":
            raise RuntimeError("the database went away for this case")
        publish(revision, submission, user, page=page)

    monkeypatch.setattr(imports, "_publish", failing)
    lines, status = run(write(tmp_path, [case(n) for n in range(5)]), "--publish")
    assert status == 1
    assert outcomes(lines) == ["created", "created", "failed", "created", "created"]
    assert "RuntimeError: the database went away for this case" in lines[2]
    assert sorted(ImportedCase.objects.values_list("external_id", flat=True)) == [
        "case-0",
        "case-1",
        "case-3",
        "case-4",
    ], "the failed case's transaction alone rolled back (its page and record with it)"
    assert all(record.page.live for record in ImportedCase.objects.all())


@pytest.mark.usefixtures("cache_url")
def test_an_import_stopped_half_way_indexes_and_purges_what_it_committed(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    item = imports.import_item

    def interrupted(data, position, **kwargs):
        if position == 3:
            raise KeyboardInterrupt  # the editor pressed Ctrl-C
        return item(data, position, **kwargs)

    monkeypatch.setattr(imports, "import_item", interrupted)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(KeyboardInterrupt):
        run(write(tmp_path, [case(n) for n in range(6)]), "--publish")
    pages = [record.page for record in ImportedCase.objects.all()]
    assert len(pages) == 3
    assert SearchDocument.objects.filter(page_id__in=[page.pk for page in pages]).count() == 3
    assert not IndexOutbox.objects.exists()
    purged = {path for method, path, _prefix in Recorder.seen if method == "PURGE"}
    assert {page.url for page in pages} <= purged


def test_the_imported_cases_are_found_by_search_once_the_import_ends(
    tmp_path, client, driver, django_capture_on_commit_callbacks
):
    items = [case(n, title=f"Quokkaburg assembly {n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, items), "--publish")
    assert status == 0
    body = client.get("/api/v1/search", {"q": "Quokkaburg", "locale": "en"}).json()
    found = {hit["title"] for hit in body["results"]}
    assert found == {item["title"] for item in items}


def test_queries_per_imported_case_do_not_grow_with_the_import(tmp_path):
    """No query over every case imported so far: each case costs the same number of queries."""

    def queries(first: int, count: int) -> int:
        path = write(tmp_path, [case(n) for n in range(first, first + count)], name=f"cases-{first}.json")
        with CaptureQueriesContext(connection) as captured:
            run(path, "--publish")
        return len(captured)

    queries(0, 2)  # warm-up: first publication of a kind caches content types and the like
    two, six = queries(100, 2), queries(200, 6)
    assert six - two == 2 * (queries(300, 4) - two), "the same queries per case whatever the import's size"
    assert (six - two) / 4 <= 350  # 323 on SQLite when written (a revision, a publication, aliases)


def test_the_progress_line_gives_count_rate_and_time_left():
    stream = io.StringIO()
    progress = Progress(stream)
    progress.start(10)
    line = progress.line(elapsed=0.0)
    assert line.startswith("0/10 items")
    progress.done = 4
    assert progress.line(elapsed=2.0) == "4/10 items, 2.0 a second, 0 min 03 s left"


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(write(tmp_path, [case(1)])), stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert len(out.getvalue().splitlines()) == 2
