"""The sitemap's files are built by a task after a publication, not by the requests: until the task
ran, a request gets the previous version (stale while rebuilding); only a file never built at all
is built by the request that asks for it (manual.services.sitemap)."""

from __future__ import annotations

import pytest

from manual.services import sitemap
from tests.support.factories import UntranslatedCaseStudyPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_files_cleanup")]


@pytest.fixture
def builds(monkeypatch) -> list[tuple[str, int]]:
    built: list[tuple[str, int]] = []
    build_part = sitemap.build_part

    def counted(code: str, number: int) -> str:
        built.append((code, number))
        return build_part(code, number)

    monkeypatch.setattr(sitemap, "build_part", counted)
    return built


class Queued:
    """A task backend that keeps the build for later, as the database backend's worker would."""

    def __init__(self) -> None:
        self.queued = 0

    def enqueue(self) -> None:
        self.queued += 1

    def using(self, **options) -> Queued:
        return self


def test_a_publication_builds_every_part_in_the_task_and_requests_build_nothing(
    client, builds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        UntranslatedCaseStudyPageFactory(slug="built-by-the-task")
    assert {("en", 1), ("ru", 1)} <= set(builds), "the task built each locale's part"
    builds.clear()
    assert "/en/cases/built-by-the-task/" in client.get("/sitemap-en.xml").content.decode()
    client.get("/sitemap-ru.xml")
    client.get("/sitemap.xml")
    assert builds == [], "every request was answered from what the task built"


def test_a_burst_of_publications_builds_each_part_once(client, builds, monkeypatch, django_capture_on_commit_callbacks):
    queue = Queued()
    monkeypatch.setattr(sitemap, "build_task", queue)
    with django_capture_on_commit_callbacks(execute=True):
        UntranslatedCaseStudyPageFactory(slug="burst-one")
    sitemap._changed()  # what the commit of a second publication does (a test is one transaction)
    assert queue.queued == 2 and builds == []
    assert sitemap.build_all() > 0  # the first queued task: every file of the current generation
    assert sitemap.build_all() == 0, "the second finds them built"
    assert builds.count(("en", 1)) == 1


def test_until_the_task_ran_requests_get_the_previous_version(
    client, builds, monkeypatch, django_capture_on_commit_callbacks
):
    before = client.get("/sitemap-en.xml")
    monkeypatch.setattr(sitemap, "build_task", Queued())
    with django_capture_on_commit_callbacks(execute=True):
        UntranslatedCaseStudyPageFactory(slug="not-built-yet")
    builds.clear()
    stale = client.get("/sitemap-en.xml")
    assert stale.content == before.content and stale["ETag"] == before["ETag"]
    assert builds == [], "the request did not build the part"
    sitemap.build_all()
    fresh = client.get("/sitemap-en.xml")
    assert "/en/cases/not-built-yet/" in fresh.content.decode() and fresh["ETag"] != before["ETag"]


def test_a_part_never_built_is_built_by_its_request(client, builds, monkeypatch, django_capture_on_commit_callbacks):
    sitemap._cache().clear()  # no file was ever built (rolled back with the test)
    monkeypatch.setattr(sitemap, "build_task", Queued())
    with django_capture_on_commit_callbacks(execute=True):
        UntranslatedCaseStudyPageFactory(slug="first-ever")
    assert "/en/cases/first-ever/" in client.get("/sitemap-en.xml").content.decode()
    assert builds == [("en", 1)]
