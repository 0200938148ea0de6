"""The pages of a batch import are Wagtail's pages as any other: what ``import_cases --publish``
leaves in Wagtail's tables (revisions, log, tree, translations and aliases, its own search and
reference indexes) is what importing the same item alone leaves, with Wagtail's per-save handlers
(``imports.import_item`` outside ``core.side_effects.batch``); the admin and wagtail-localize work on
both alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

from manual.models import CaseStudyPage
from manual.services import translations
from submissions.models import ImportedCase
from submissions.services import imports
from tests.test_import_cases import case, run, write

pytestmark = pytest.mark.django_db


def search_entry(page: Page) -> dict[str, Any] | None:
    entry = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(page.specific_class), object_id=str(page.pk)
    ).first()
    if entry is None:
        return None
    # The text of the entry, with the page's own title and id taken out: the rest must be the same.
    return {"title": entry.title == page.title, "body": entry.body.replace(page.title, "TITLE")}


def rows(page: CaseStudyPage) -> dict[str, Any]:
    """What Wagtail holds about ``page`` and its other-locale versions, without ids, times and titles."""
    page.refresh_from_db()
    parent = page.get_parent()
    revisions = Revision.page_revisions.filter(object_id=str(page.pk))
    references = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id=str(page.pk)
    )
    versions = CaseStudyPage.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)
    return {
        "live": page.live,
        "unpublished_changes": page.has_unpublished_changes,
        "published": page.first_published_at is not None and page.last_published_at is not None,
        "revisions": revisions.count(),
        "live_is_latest": page.live_revision_id == page.latest_revision_id == revisions.get().pk,
        "revision_title": revisions.get().content["title"] == page.title,
        "tree": (
            page.depth == parent.depth + 1,
            page.path[:-4] == parent.path,
            page.url_path.startswith(parent.url_path),
        ),
        "parent_numchild": parent.numchild == parent.get_children().count(),
        "log": list(PageLogEntry.objects.filter(page=page).order_by("pk").values_list("action", "revision_id")),
        "references": sorted(set(references.values_list("to_content_type__model", "model_path"))),
        "search": search_entry(page),
        "versions": sorted(
            (
                version.locale.language_code,
                version.alias_of_id == page.pk,
                version.live,
                version.title == page.title,
                version.get_parent().translation_key == parent.translation_key,
                search_entry(version),
                sorted(PageLogEntry.objects.filter(page=version).values_list("action", flat=True)),
            )
            for version in versions
        ),
    }


def item(number: int, title: str, **overrides: Any) -> dict:
    return case(number, title=title, summary="The same summary for every case compared.", **overrides)


def import_alone(tmp_path: Path, item: dict) -> CaseStudyPage:
    """The item through the import's own steps, with Wagtail's per-save handlers (no batch)."""
    report = imports.import_item(item, 0, base=tmp_path, publish=True)
    assert report.outcome == "created", report.line()
    return CaseStudyPage.objects.get(pk=report.page_id)


def test_an_imported_page_has_the_rows_of_the_same_item_imported_alone(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alone = import_alone(tmp_path, item(1, "Alone in the harbour"))
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [item(n, f"Batch case {n}") for n in range(2, 5)]), "--publish")
    assert status == 0
    expected = rows(alone)
    assert expected["live"] and expected["live_is_latest"] and expected["search"] is not None
    assert ("wagtail.publish", alone.live_revision_id) in expected["log"]
    assert [version[:3] for version in expected["versions"]] == [("ru", True, True)], "the Russian alias, live"
    for record in ImportedCase.objects.exclude(page=alone).order_by("pk"):
        imported = rows(record.page)
        assert imported == {**expected, "log": imported["log"]}
        assert [action for action, _ in imported["log"]] == [action for action, _ in expected["log"]]


def test_an_imported_translation_has_the_rows_of_one_imported_alone(tmp_path, django_capture_on_commit_callbacks):
    source, translation = item(1, "Harbour"), item(2, "Гавань", locale="ru")
    translation["translation_of"] = source["external_id"]
    with django_capture_on_commit_callbacks(execute=True):
        import_alone(tmp_path, source)
        alone = import_alone(tmp_path, translation)
    batch_source, batch_translation = item(3, "Quay"), item(4, "Причал", locale="ru")
    batch_translation["translation_of"] = batch_source["external_id"]
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [batch_source, batch_translation]), "--publish")
    assert status == 0, lines
    imported = ImportedCase.objects.get(external_id=batch_translation["external_id"]).page
    expected = rows(alone)
    assert expected["live"] and expected["search"] is not None
    assert [version[:3] for version in expected["versions"]] == [("en", False, True)], "the English source"
    assert rows(imported) == {**expected, "log": rows(imported)["log"]}
    assert [action for action, _ in rows(imported)["log"]] == [action for action, _ in expected["log"]]


def test_the_admin_and_wagtail_localize_work_on_imported_pages(
    tmp_path, client, ru, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [case(n) for n in range(2)]), "--publish")
    assert status == 0
    page = ImportedCase.objects.get(external_id="case-1").page
    alias = CaseStudyPage.objects.get(translation_key=page.translation_key, locale=ru)
    client.force_login(editor)
    for shown in (page, alias):
        assert client.get(reverse("wagtailadmin_pages:edit", args=[shown.pk])).status_code == 200
        assert client.get(reverse("wagtailadmin_pages:history", args=[shown.pk])).status_code == 200
    found = client.get(reverse("wagtailadmin_pages:search"), {"q": page.title})
    assert found.status_code == 200 and f"/admin/pages/{page.pk}/" in found.content.decode()
    [translation] = translations.submit_for_translation(page, [ru], editor)
    assert translation.source.get_source_instance().pk == page.pk
    assert client.get(reverse("wagtailadmin_pages:edit", args=[alias.pk])).status_code == 200
