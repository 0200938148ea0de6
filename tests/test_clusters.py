"""``core.clusters.created_with_children_known``: a new page's first revision holds what Wagtail's
would (its children and taxonomy links as read back from the database), without reading them back;
the related managers still answer from the database for anything else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from core.clusters import created_with_children_known
from manual.models import (
    CaseStudyIndexPage,
    CaseStudyLink,
    CaseStudyMetric,
    CaseStudyPage,
    GovernmentLevel,
    ParticipationLevel,
    Topic,
)

pytestmark = pytest.mark.django_db

CHILD_TABLES = ("manual_casestudymetric", "manual_casestudylink", "manual_casestudypage_topics", "wagtailcore_comment")


def new_case(title: str) -> tuple[CaseStudyPage, CaseStudyIndexPage]:
    english = Locale.objects.get(language_code="en")
    index = CaseStudyIndexPage.objects.filter(locale=english, alias_of__isnull=True).first()
    assert index is not None
    page = CaseStudyPage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        locale=english,
        summary="A case to compare revisions.",
        organisation="City of Tartu",
        country="ee",
        start_year=2020,
        initiative_status="ongoing",
        government_level=GovernmentLevel.objects.filter(locale=english).first(),
        participation_level=ParticipationLevel.objects.filter(locale=english).first(),
        live=False,
        **dict.fromkeys(("context", "objectives", "approach", "results"), "Written for the comparison."),
    )
    # Out of their stored order on purpose: the revision must list them as the database reads them.
    page.metrics = [
        CaseStudyMetric(locale=english, label="Second", value=Decimal("2.00"), unit="", sort_order=1),
        CaseStudyMetric(locale=english, label="First", value=Decimal("1.00"), unit="", sort_order=0),
    ]
    page.links = [CaseStudyLink(locale=english, title="Site", url="https://example.org/", sort_order=0)]
    page.topics = list(Topic.objects.filter(locale=english).order_by("-code")[:3])
    return page, index


def children(data: dict) -> dict:
    return {name: data[name] for name in ("metrics", "links", "contacts", "documents", "topics", "stages")}


def test_the_first_revision_holds_what_reading_the_page_back_gives():
    page, index = new_case("Known children")
    with created_with_children_known(page):
        index.add_child(instance=page)
    with CaptureQueriesContext(connection) as queries:
        known = page.serializable_data()
    assert not [query for query in queries if any(table in query["sql"] for table in CHILD_TABLES)]

    read_back = CaseStudyPage.objects.get(pk=page.pk).serializable_data()
    assert children(known) == children(read_back)
    assert [metric["label"] for metric in known["metrics"]] == ["First", "Second"]
    assert len(known["topics"]) == 3

    revision = page.save_revision()
    assert children(revision.content) == children(read_back)


def test_anything_beyond_the_whole_set_is_read_from_the_database():
    page, index = new_case("Filtered children")
    with created_with_children_known(page):
        index.add_child(instance=page)
    CaseStudyMetric.objects.filter(page=page, label="First").update(label="Changed elsewhere")
    assert list(page.metrics.filter(sort_order=0).values_list("label", flat=True)) == ["Changed elsewhere"]


def test_a_failure_in_the_block_leaves_no_cache_and_a_stored_page_is_left_alone():
    page, index = new_case("Failing save")
    with pytest.raises(RuntimeError), created_with_children_known(page):
        index.add_child(instance=page)
        raise RuntimeError("the transaction around the save failed")
    assert not page.__dict__.get("_prefetched_objects_cache")

    stored = CaseStudyPage.objects.filter(live=True).first()
    assert stored is not None
    with created_with_children_known(stored):
        pass
    assert not stored.__dict__.get("_prefetched_objects_cache")
