"""GDPR: export and erase a submitter's personal data everywhere; purge old rejected and spam ones."""

from __future__ import annotations

import io
import json
import os
import uuid
from datetime import timedelta

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from opensearchpy import OpenSearch
from wagtail.models import Page

from manual.models import CaseStudyPage
from manual.services import translations
from search import services as search_services
from submissions.models import Submission, SubmissionEvent, SubmissionStatus, SubmitterContact
from submissions.services.personal_data.erase import find_traces
from submissions.services.status import transition
from tests.support.submissions import post_json, valid_payload

pytestmark = pytest.mark.django_db
EMAIL = "Mari.Maasikas@Example.ORG"
NAME = "Mari Maasikas"


@pytest.fixture
def engine():
    """The real engine with a private index prefix when the run has one (always under CI)."""
    url = settings.SEARCH_ENGINE_TEST_URL
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no search engine: run the suite through scripts/with-search-engine.sh")
        yield None
        return
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-gdpr-{uuid.uuid4().hex[:8]}"
    search_services.EngineHealth.reset()
    with override_settings(SEARCH_URL=url, SEARCH_INDEX_PREFIX=prefix):
        search_services.rebuild()
        yield search_services.engine_driver()

    OpenSearch([url]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)


def engine_sources(driver) -> list[dict]:
    client = driver.client.client
    client.indices.refresh(index=f"{settings.SEARCH_INDEX_PREFIX}-*")
    body = client.search(index=f"{settings.SEARCH_INDEX_PREFIX}-*", body={"query": {"match_all": {}}, "size": 1000})
    return [hit["_source"] for hit in body["hits"]["hits"]]


def traces(text: str) -> dict[str, int]:
    """Every text-like column of every model, searched for ``text`` (any case)."""
    return find_traces(text)


def admin_search() -> set[int]:
    """Wagtail's admin search for the address: PostgreSQL keeps it as one token, SQLite splits it."""
    found = set()
    for text in (EMAIL.lower(), "maasikas"):
        found |= {page.pk for page in CaseStudyPage.objects.all().search(text)}
    return found


def submit(client, capture, **overrides) -> Submission:
    with capture(execute=True):
        response = post_json(client, valid_payload(**overrides))
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def approve(client, moderator, page, capture) -> None:
    page = Page.objects.get(pk=page.pk)
    client.force_login(moderator)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", page.current_workflow_task_state.pk))
    with capture(execute=True):
        assert client.post(url).status_code == 302
    client.logout()


def translate_to_russian(page, ru, editor, capture) -> CaseStudyPage:
    with capture(execute=True):
        [translation] = translations.submit_for_translation(page, [ru], editor)
        po = translation.export_po()
        for entry in po:
            entry.msgstr = entry.msgid if entry.msgctxt == "slug" else f"RU {entry.msgid}"
        translation.import_po(polib.pofile(str(po)), user=editor)
        translation.save_target(user=editor, publish=True)
    return CaseStudyPage.objects.get(translation_key=page.translation_key, locale=ru)


def published_case_with_contact(
    client, capture, moderator, editor, ru
) -> tuple[Submission, CaseStudyPage, CaseStudyPage]:
    body = dict(valid_payload()["body"])
    body["context"] = f"Tartu wanted residents to shape spending. Questions: {EMAIL.lower()}"
    submission = submit(
        client,
        capture,
        contact={
            "name": NAME,
            "email": EMAIL,
            "organisation": "Tartu City Government",
            "role": "Participation officer",
        },
        body=body,
    )
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    approve(client, moderator, page, capture)
    russian = translate_to_russian(CaseStudyPage.objects.get(pk=page.pk), ru, editor, capture)
    SubmissionEvent.objects.filter(submission=submission).update(note=f"Asked {EMAIL} for a photo.")
    SubmissionEvent.objects.filter(submission=submission, to_status="published").update(
        internal_note=f"Confirmed by phone with {EMAIL}."
    )
    return submission, CaseStudyPage.objects.get(pk=page.pk), russian


def test_export_then_erase_leaves_no_trace_in_database_revisions_translations_or_index(
    client, django_capture_on_commit_callbacks, moderator, editor, ru, engine
):
    capture = django_capture_on_commit_callbacks
    submission, page, russian = published_case_with_contact(client, capture, moderator, editor, ru)
    assert page.live and russian.live and russian.title.startswith("RU ")
    assert [c.email for c in page.contacts.all()] == [EMAIL] and page.attribution.startswith(NAME)
    assert [c.email for c in russian.contacts.all()] == [EMAIL], "contacts are synchronised to the translation"
    before = traces(EMAIL)
    for place in (
        "submissions.SubmitterContact.email",
        "manual.CaseStudyContact.email",
        "wagtailcore.Revision.content",
        "wagtail_localize.String.data",
        "wagtail_localize.StringTranslation.data",
        "manual_search.SearchDocument.body",
    ):
        assert place in before, f"{place} {sorted(before)}"
    assert any(place.startswith("wagtailsearch.") for place in before), "Wagtail's admin search index"
    assert page.pk in admin_search()
    if engine is not None:
        assert any(EMAIL.lower() in json.dumps(doc).lower() for doc in engine_sources(engine))

    # Export: everything held about the address.
    out = io.StringIO()
    call_command("submissions_personal_data", "export", EMAIL.upper(), stdout=out)
    exported = json.loads(out.getvalue())
    [item] = exported["submissions"]
    assert item["id"] == str(submission.pk) and item["contact"]["email"] == EMAIL
    assert item["consent"]["publish_contact"] is True
    assert item["consent"]["text_version"] == settings.SUBMISSIONS_CONSENT_VERSION and item["consent"]["given_at"]
    assert [event["to"] for event in item["events"]] == ["received", "converted", "in_review", "published"]
    assert EMAIL in item["events"][-1]["internal_note"], "staff's internal notes are held about the person too"
    assert {entry["page"] for entry in exported["published_contacts"]} == {page.pk, russian.pk}

    # Erase.
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("submissions_personal_data", "erase", EMAIL.lower(), stdout=out)
    summary = out.getvalue()
    assert "submitter contacts: 1" in summary and "published contacts: 2" in summary, summary
    assert "no trace of" in summary, summary

    assert traces(EMAIL) == {}
    assert traces(NAME) == {}, "the name tied to the address is gone too (contacts, attribution)"
    for revision in [*page.revisions.all(), *russian.revisions.all()]:
        assert EMAIL.lower() not in json.dumps(revision.content).lower()
    if engine is not None:
        sources = engine_sources(engine)
        assert any(doc["id"] == page.pk for doc in sources), "the page is still indexed"
        assert not any(EMAIL.lower() in json.dumps(doc).lower() for doc in sources)

    assert admin_search() == set(), "Wagtail's admin search (a tsvector on PostgreSQL) was re-indexed"
    page, russian = CaseStudyPage.objects.get(pk=page.pk), CaseStudyPage.objects.get(pk=russian.pk)
    assert page.live and russian.live
    assert page.title == "Neighbourhood budget of Tartu" and page.summary.startswith("Residents of Tartu")
    assert page.contacts.count() == 0 and russian.contacts.count() == 0
    assert page.attribution == "City of Tartu" and russian.attribution == russian.organisation
    assert "[removed]" in page.context
    assert client.get(f"/api/v1/cases/{page.pk}").status_code == 200
    contact = SubmitterContact.objects.get(submission=submission)
    assert (contact.email, contact.name, contact.consent_publish_contact) == ("", "", False)
    assert contact.consent_text_version, "the consent record stays, without the person"

    # Idempotent.
    out = io.StringIO()
    call_command("submissions_personal_data", "erase", EMAIL, stdout=out)
    assert "nothing found" in out.getvalue()


def test_export_writes_a_file(client, django_capture_on_commit_callbacks, tmp_path):
    submit(client, django_capture_on_commit_callbacks, consent={"terms": True})
    target = tmp_path / "export.json"
    call_command(
        "submissions_personal_data", "export", "MARI@example.org", "--output", str(target), stdout=io.StringIO()
    )
    document = json.loads(target.read_text())
    assert document["submissions"][0]["consent"]["publish_contact"] is False
    assert document["published_contacts"] == []


def _age(submission: Submission, days: int) -> None:
    past = timezone.now() - timedelta(days=days)
    SubmissionEvent.objects.filter(submission=submission).update(created_at=past)
    Submission.objects.filter(pk=submission.pk).update(updated_at=past)


def test_purge_erases_old_rejected_and_spam_and_keeps_the_rest(
    client, django_capture_on_commit_callbacks, moderator, settings
):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    capture = django_capture_on_commit_callbacks
    old_rejected = submit(
        client, capture, title="Old rejected case", contact={"name": "Ann", "email": "ann@example.org"}
    )
    transition(old_rejected, SubmissionStatus.REJECTED, actor=moderator, note="Off topic.")
    recent_rejected = submit(
        client, capture, title="Recent rejected", contact={"name": "Bob", "email": "bob@example.org"}
    )
    transition(recent_rejected, SubmissionStatus.REJECTED, actor=moderator)
    published = submit(client, capture, title="Old published", contact={"name": "Cy", "email": "cy@example.org"})
    page = CaseStudyPage.objects.get(pk=published.page_id)
    approve(client, moderator, page, capture)
    _age(old_rejected, 100)
    _age(published, 100)
    _age(recent_rejected, 10)

    out = io.StringIO()
    call_command("purge_submissions", "--dry-run", stdout=out)
    assert "1 submission(s) would be purged" in out.getvalue()
    assert SubmitterContact.objects.get(submission=old_rejected).email == "ann@example.org"

    out = io.StringIO()
    call_command("purge_submissions", stdout=out)
    assert "1 submission(s) purged" in out.getvalue()
    assert traces("ann@example.org") == {}, "its draft page and revisions too"
    assert SubmitterContact.objects.get(submission=recent_rejected).email == "bob@example.org"
    assert SubmitterContact.objects.get(submission=published).email == "cy@example.org"
    assert CaseStudyPage.objects.get(pk=page.pk).contacts.get().email == "cy@example.org"
    assert Submission.objects.get(pk=old_rejected.pk).status == SubmissionStatus.REJECTED

    out = io.StringIO()
    call_command("purge_submissions", "--days", "5", stdout=out)
    assert "1 submission(s) purged" in out.getvalue(), "the recent one with a shorter retention"
    out = io.StringIO()
    call_command("purge_submissions", "--days", "5", stdout=out)
    assert "0 submission(s) purged" in out.getvalue()
