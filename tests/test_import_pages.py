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
from wagtail.signals import page_published

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


ALIASED = [("en", False), ("ru", True)]  # the page's publication, then its alias's


def in_tree(page: Page, parent: Page) -> tuple[bool, ...]:
    return (page.depth == parent.depth + 1, page.path[:-4] == parent.path, parent.url_path in page.url_path)


def version_rows(page: CaseStudyPage, version: CaseStudyPage) -> dict[str, Any]:
    """``page``'s version in another locale (its alias, or its source) as ``rows`` sees it."""
    parent = version.get_parent()
    return {
        "locale": version.locale.language_code,
        "alias": version.alias_of_id == page.pk,
        "live": version.live,
        "unpublished_changes": version.has_unpublished_changes,
        "revisions": (version.live_revision_id is None, version.latest_revision_id is None),
        "same_title": (version.title == page.title, version.draft_title == version.title),
        "published": (version.first_published_at is not None, version.last_published_at is not None),
        "tree": (
            version.depth == parent.depth + 1,
            version.path[:-4] == parent.path,
            parent.url_path in version.url_path,
        ),
        "parent": parent.translation_key == page.get_parent().translation_key,
        "parent_numchild": parent.numchild == parent.get_children().count(),
        "search": search_entry(version),
        "log": sorted(PageLogEntry.objects.filter(page=version).values_list("action", flat=True)),
    }


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
        "versions": sorted((version_rows(page, version) for version in versions), key=repr),
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
    assert [(v["locale"], v["alias"], v["live"]) for v in expected["versions"]] == [("ru", True, True)], "live alias"
    for record in ImportedCase.objects.exclude(page=alone).order_by("pk"):
        imported = rows(record.page)
        assert imported == {**expected, "log": imported["log"]}
        assert [action for action, _ in imported["log"]] == [action for action, _ in expected["log"]]


def test_a_published_import_has_the_rows_of_a_draft_import_published_afterwards(
    tmp_path, django_capture_on_commit_callbacks
):
    """Importing drafts, then publishing them in the admin, is Wagtail's own order of things (the
    alias is made of the draft, then updated by the publication); ``--publish`` gets the same rows,
    and the same ``page_published`` signals (the alias's too: search, HTTP cache, the manual's)."""
    heard: list[tuple[str, str, bool]] = []

    def listen(sender, instance, **kwargs):
        heard.append((instance.title, instance.locale.language_code, bool(kwargs.get("alias"))))

    page_published.connect(listen, dispatch_uid="test-import-pages")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lines, status = run(write(tmp_path, [item(1, "Draft first")], name="drafts.json"))
            assert status == 0
            draft = ImportedCase.objects.get(external_id="case-1").page
            draft.get_latest_revision().publish(log_action=True)
            lines, status = run(write(tmp_path, [item(2, "Published at once")]), "--publish")
    finally:
        page_published.disconnect(dispatch_uid="test-import-pages")
    assert status == 0
    expected = rows(draft)
    published = rows(ImportedCase.objects.get(external_id="case-2").page)
    assert published == {**expected, "log": published["log"]}
    assert [action for action, _ in published["log"]] == [action for action, _ in expected["log"]]
    assert sorted(heard) == sorted(
        [(title, locale, alias) for title in ("Draft first", "Published at once") for locale, alias in ALIASED]
    )


def test_an_imported_translation_has_the_rows_of_one_imported_alone(tmp_path, django_capture_on_commit_callbacks):
    """Imported alone, the translation turns the source's alias into itself; in the source's file,
    it is made as a new page at once (no alias is made for it to replace): the same rows, but for
    the alias's creation in the log."""
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
    assert [(v["locale"], v["alias"], v["live"]) for v in expected["versions"]] == [("en", False, True)], "source"
    assert rows(imported) == {**expected, "log": rows(imported)["log"]}
    alone_actions = [action for action, _ in expected["log"]]
    assert "wagtail.create_alias" in alone_actions
    assert [action for action, _ in rows(imported)["log"]] == [a for a in alone_actions if a != "wagtail.create_alias"]


def test_a_case_whose_translation_fails_later_in_the_file_still_gets_its_alias(
    tmp_path, django_capture_on_commit_callbacks
):
    """The alias a following translation would have replaced is made at the end when it failed:
    the rows of a case imported alone."""
    with django_capture_on_commit_callbacks(execute=True):
        alone = import_alone(tmp_path, item(1, "Alone in the harbour"))
    source, translation = item(2, "Lighthouse"), item(3, "", locale="ru")  # a title is required
    translation["translation_of"] = source["external_id"]
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [source, translation]), "--publish")
    assert status == 1 and lines[1].startswith("#1 case-3: failed: title"), lines
    imported = rows(ImportedCase.objects.get(external_id="case-2").page)
    assert [(v["locale"], v["alias"], v["live"]) for v in imported["versions"]] == [("ru", True, True)]
    expected = rows(alone)
    assert imported == {**expected, "log": imported["log"]}


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
