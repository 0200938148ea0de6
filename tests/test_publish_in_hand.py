"""``core.publish_in_hand``: publishing the revision from the page just saved with it leaves what
Wagtail's own ``revision.publish()`` leaves: the live page's columns, inline children and taxonomy
links, for a new page (its children committed by the save that created it) and for a new revision
of a stored page (its children still in memory only); a page that changed since is refused."""

from __future__ import annotations

from typing import Any

import pytest
from wagtail.models import PageLogEntry

from core.publish_in_hand import PublishPageInHand
from manual.models import CaseStudyIndexPage, CaseStudyMetric, CaseStudyPage
from manual.taxonomy_registry import taxonomy_kinds
from submissions.services import imports
from tests.test_import_cases import case

pytestmark = pytest.mark.django_db

LIVE_COLUMNS = ("title", "slug", "url_path", "summary", "live", "has_unpublished_changes", "expired", "city")


def live_rows(page: CaseStudyPage) -> dict[str, Any]:
    """The published page as a reader's query reads it, without ids and times."""
    page = CaseStudyPage.objects.get(pk=page.pk)
    many = {
        kind.field: sorted(getattr(page, kind.field).values_list("code", flat=True))
        for kind in taxonomy_kinds()
        if kind.many
    }
    return {
        "columns": {name: getattr(page, name) for name in LIVE_COLUMNS},
        "live_is_latest": page.live_revision_id == page.latest_revision_id is not None,
        "published": (page.first_published_at is not None, page.last_published_at is not None),
        "metrics": list(page.metrics.order_by("sort_order").values_list("label", "value", "unit")),
        "links": list(page.links.order_by("sort_order").values_list("title", "url")),
        "terms": many,
        "log": sorted(PageLogEntry.objects.filter(page=page).values_list("action", flat=True)),
    }


def imported_draft(tmp_path, number: int) -> CaseStudyPage:
    item = case(number, title=f"Draft {number}", summary="The same summary for every case compared.")
    report = imports.import_item(item, 0, base=tmp_path, publish=False)
    assert report.outcome == "created", report.line()
    return CaseStudyPage.objects.get(pk=report.page_id)


def test_a_new_page_is_published_as_wagtail_publishes_it(tmp_path):
    ours, wagtails = imported_draft(tmp_path, 1), imported_draft(tmp_path, 2)
    ours.title = wagtails.title = "Published the same way"
    ours.slug, wagtails.slug = "same-1", "same-2"
    revision = ours.save_revision()
    PublishPageInHand(ours, revision).execute()
    wagtails.save_revision().publish()

    mine, theirs = live_rows(ours), live_rows(wagtails)
    assert mine["columns"].pop("slug") == "same-1"
    assert theirs["columns"].pop("slug") == "same-2"
    mine["columns"].pop("url_path"), theirs["columns"].pop("url_path")
    assert mine == theirs
    assert mine["metrics"] == [("Votes cast", 12345, "votes")]
    assert mine["terms"]["topics"] == ["budget", "urban-planning"]
    assert mine["columns"]["live"] is True and mine["columns"]["has_unpublished_changes"] is False


def test_a_new_revision_commits_the_children_it_holds_in_memory(tmp_path):
    """``save_revision`` leaves a changed child relation uncommitted: the publication writes it."""
    page = imported_draft(tmp_path, 3)
    revision = page.save_revision()
    PublishPageInHand(page, revision).execute()

    page = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    page.metrics = [CaseStudyMetric(label="Proposals", value=40, unit=""), CaseStudyMetric(label="Votes", value=9)]
    page.links = []
    page.topics = [term for term in page.topics.all() if term.code == "budget"]
    page.summary = "A summary changed in the second revision."
    revision = page.save_revision()
    assert CaseStudyMetric.objects.filter(page=page).count() == 1  # not written by the revision
    PublishPageInHand(page, revision).execute()

    rows = live_rows(page)
    assert rows["metrics"] == [("Proposals", 40, ""), ("Votes", 9, "")]
    assert rows["links"] == []
    assert rows["terms"]["topics"] == ["budget"]
    assert rows["columns"]["summary"] == "A summary changed in the second revision."
    assert rows["live_is_latest"] and rows["log"].count("wagtail.publish") == 2


def test_a_page_changed_since_its_revision_is_refused(tmp_path):
    page = imported_draft(tmp_path, 4)
    old = page.save_revision()
    page.save_revision()
    with pytest.raises(ValueError, match="just saved with"):
        PublishPageInHand(page, old)
    index = CaseStudyIndexPage.objects.first()
    assert index is not None and index.latest_revision is not None
    with pytest.raises(ValueError, match="just saved with"):
        PublishPageInHand(page, index.latest_revision)  # another page's revision
    assert CaseStudyPage.objects.get(pk=page.pk).live is False
