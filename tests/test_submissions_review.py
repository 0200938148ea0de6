"""Conversion into a draft case study, the "Editorial review" workflow, and the submission's status."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from manual.models import CaseStudyIndexPage, CaseStudyPage
from manual.services.review import REVIEW_WORKFLOW
from submissions.models import Submission, SubmissionAttachment, SubmissionStatus
from submissions.services import review as review_service
from submissions.services.convert import ConversionError, convert_submission, convert_submission_task
from tests.support.samples import make_image, make_pdf
from tests.support.stored_files import private_files
from tests.support.submissions import post_json, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


def _submit(client, django_capture_on_commit_callbacks, payload=None, attachments=None):
    """POST and let the commit happen (conversion is queued on commit); returns (submission, status path+token)."""
    with django_capture_on_commit_callbacks(execute=True):
        if attachments is None:
            response = post_json(client, payload or valid_payload())
        else:
            response = post_multipart(client, payload or valid_payload(), attachments)
    assert response.status_code == 201, response.content
    parts = urlsplit(response.json()["status_url"])
    return Submission.objects.get(pk=response.json()["id"]), (parts.path, parse_qs(parts.query)["token"][0])


def _act(client, user, page, action: str, **data):
    state = page.current_workflow_task_state
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, state.pk))
    return client.post(url, data)


def test_a_json_submission_becomes_a_draft_in_review_then_a_live_case(
    client, django_capture_on_commit_callbacks, moderator, en
):
    submission, (status_path, token) = _submit(client, django_capture_on_commit_callbacks)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert [e.to_status for e in submission.events.all()] == ["received", "converted", "in_review"]
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert not page.live and page.has_unpublished_changes
    assert page.locale == en
    assert page.get_parent().specific_class is CaseStudyIndexPage and page.get_parent().locale == en

    # Every field of the document, on the draft.
    assert (page.title, page.slug) == ("Neighbourhood budget of Tartu", "neighbourhood-budget-of-tartu")
    assert page.summary.startswith("Residents of Tartu")
    assert (page.organisation, page.city, page.region, page.country.code) == (
        "City of Tartu",
        "Tartu",
        "Tartu County",
        "EE",
    )
    assert (page.latitude, page.longitude, page.population) == (Decimal("58.378000"), Decimal("26.729000"), 91000)
    assert (page.government_level.code, page.participation_level.code) == ("local", "empower")
    assert page.government_level.locale == Locale.get_default(), "taxonomies link the default locale's terms"
    assert sorted(t.code for t in page.stages.all()) == ["decision", "implementation"]
    assert sorted(t.code for t in page.topics.all()) == ["budget", "urban-planning"]
    assert sorted(t.code for t in page.tools.all()) == ["e-voting", "participatory-budgeting"]
    assert {t.locale_id for t in [*page.topics.all(), *page.tools.all(), *page.stages.all()]} == {en.pk}
    assert (page.start_year, page.end_year, page.initiative_status) == (2013, 2023, "completed")
    assert page.context == "<p>Tartu wanted residents to shape spending.</p><p>The council agreed in 2012.</p>"
    assert page.objectives == "<p>Involve residents in <b>real</b> budget decisions.</p>"
    assert page.approach == "<ul><li>Proposals online</li><li>Public vote</li></ul>"
    assert all(getattr(page, name) for name in ("technology", "results", "lessons", "transferability"))
    assert [(m.label, m.value, m.unit) for m in page.metrics.all()] == [("Votes cast", Decimal("12345.00"), "votes")]
    assert [(link.title, link.url) for link in page.links.all()] == [
        ("Project site", "https://www.tartu.ee/en/participatory-budgeting")
    ]
    assert [(c.name, c.email, c.role) for c in page.contacts.all()] == [
        ("Mari Maasikas", "mari@example.org", "Participation officer")
    ]
    assert (page.licence, page.attribution) == ("CC-BY-SA-4.0", "Mari Maasikas (Tartu City Government)")

    # The review workflow holds the draft's revision.
    assert page.workflow_in_progress
    assert page.current_workflow_state.workflow.name == REVIEW_WORKFLOW
    assert submission.workflow_state == page.current_workflow_state
    assert page.current_workflow_task_state.revision_id == submission.revision_id == page.latest_revision_id
    assert client.get(f"/api/v1/cases/{page.pk}").status_code == 404, "nothing public before approval"

    response = _act(client, moderator, page, "approve")
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.live and page.live_revision_id == submission.revision_id
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PUBLISHED
    last = submission.events.last()
    assert (last.from_status, last.to_status, last.actor) == ("in_review", "published", moderator)

    client.logout()
    case = client.get(f"/api/v1/cases/{page.pk}").json()
    assert case["licence"]["code"] == "CC-BY-SA-4.0" and case["attribution"].startswith("Mari Maasikas")
    status = client.get(status_path, {"token": token}).json()
    assert status["status"] == "published"
    assert status["case"]["id"] == page.pk and status["case"]["url"].endswith(page.url)
    assert [event["status"] for event in status["history"]] == ["received", "converted", "in_review", "published"]


def test_other_locales_get_an_alias_of_the_new_case_as_the_admin_would_make(
    client, django_capture_on_commit_callbacks, moderator, ru
):
    submission, _ = _submit(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    alias = CaseStudyPage.objects.get(alias_of=page, locale=ru)
    assert alias.get_parent().locale == ru and not alias.live

    _act(client, moderator, page, "approve")
    alias.refresh_from_db()
    assert alias.live, "an alias follows its source's publication"


def test_a_multipart_submission_gets_its_hero_image_documents_and_images(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, _ = _submit(
        client,
        django_capture_on_commit_callbacks,
        valid_payload(hero_attachment=1),
        [("report.pdf", make_pdf()), ("hero.png", make_image("PNG", (160, 90))), ("vote.png", make_image("PNG"))],
    )
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    image = page.hero_image
    assert image is not None and (image.width, image.height) == (160, 90)
    assert image.collection.name == "Submissions in review", "unpublished until the case is"
    assert image.file.name.startswith("original_images/unreviewed-"), "an unguessable name, not the client's"
    hero_attachment = SubmissionAttachment.objects.get(submission=submission, position=1)
    assert hero_attachment.image == image
    # The PDF is a Wagtail document listed on the case, titled by its name but stored under another.
    pdf = SubmissionAttachment.objects.get(submission=submission, position=0)
    [listed] = page.documents.all()
    assert listed.document == pdf.document and pdf.image is None
    assert pdf.document.title == "report.pdf" and pdf.document.collection.name == "Submissions in review"
    assert pdf.document.file.name.startswith("documents/unreviewed-") and pdf.document.file_size == pdf.size
    # The other image waits in the image library for an editor.
    other = SubmissionAttachment.objects.get(submission=submission, position=2)
    assert other.image is not None and other.image.collection.name == "Submissions in review"
    assert len(private_files()) == 3, "the originals stay with the submission"

    with django_capture_on_commit_callbacks(execute=True):  # the files go public after the commit
        _act(client, moderator, page, "approve")
    pdf.document.refresh_from_db()
    assert pdf.document.collection.name == "Submissions"
    assert pdf.document.file.name.startswith("documents/submission-")
    html = client.get(CaseStudyPage.objects.get(pk=page.pk).url).content.decode()
    assert pdf.document.url in html, "the published case links its document"
    for made in (image, other.image, pdf.document):
        made.refresh_from_db()
        made.file.delete(save=False)  # under MEDIA_ROOT; keep it tidy


def test_a_russian_submission_becomes_a_page_of_the_russian_tree(client, django_capture_on_commit_callbacks, ru, en):
    payload = valid_payload(locale="ru", title="Бюджет района Тарту")
    submission, _ = _submit(client, django_capture_on_commit_callbacks, payload)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert page.locale == ru and page.get_parent().locale == ru
    assert page.slug == "byudzhet-rayona-tartu", "transliterated to ASCII (WAGTAIL_ALLOW_UNICODE_SLUGS is off)"
    assert page.topics.first().locale == en, "terms of the default locale, labels read in Russian"
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW


def test_without_consent_the_contact_is_not_published(client, django_capture_on_commit_callbacks):
    payload = valid_payload(consent={"terms": True})
    submission, _ = _submit(client, django_capture_on_commit_callbacks, payload)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert page.contacts.count() == 0
    assert page.attribution == "City of Tartu", "the organisation is credited, not the person"
    assert page.licence == "CC-BY-4.0", "the default licence"
    assert "mari" not in str(page.get_latest_revision().content).lower()


def test_a_moderator_requests_changes_with_a_reason(client, django_capture_on_commit_callbacks, moderator):
    """Wagtail's "Request changes" (a rejected task) asks the submitter for changes; it is no final rejection."""
    submission, (status_path, token) = _submit(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)

    response = _act(client, moderator, page, "reject", comment="Please add the results of 2023.")
    assert response.status_code in {200, 302}

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED
    event = submission.events.last()
    assert (event.actor, event.note) == (moderator, "Please add the results of 2023.")
    page.refresh_from_db()
    assert not page.live
    client.logout()
    history = client.get(status_path, {"token": token}).json()["history"]
    assert history[-1] == {
        "status": "changes_requested",
        "at": history[-1]["at"],
        "note": "Please add the results of 2023.",
    }


def test_an_editor_resubmitting_the_draft_in_wagtail_puts_it_back_in_review(
    client, django_capture_on_commit_callbacks, moderator, editor
):
    submission, _ = _submit(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    _act(client, moderator, page, "reject", comment="Fix the title.")
    page.current_workflow_state.resume(user=editor)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.events.last().note == "Resubmitted for review."


def test_a_final_rejection_has_a_reason(client, django_capture_on_commit_callbacks, moderator):
    submission, (status_path, token) = _submit(client, django_capture_on_commit_callbacks)
    review_service.reject_submission(submission, "Not an eParticipation initiative.", moderator)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    event = submission.events.last()
    assert (event.actor, event.note) == (moderator, "Not an eParticipation initiative.")
    history = client.get(status_path, {"token": token}).json()["history"]
    assert history[-1] == {"status": "rejected", "at": history[-1]["at"], "note": "Not an eParticipation initiative."}


def test_converting_twice_gives_one_page(client, django_capture_on_commit_callbacks):
    submission, _ = _submit(client, django_capture_on_commit_callbacks)
    pages_before = Page.objects.count()

    assert convert_submission(submission).pk == submission.page_id
    result = convert_submission_task.enqueue(str(submission.pk))
    assert result.return_value == submission.page_id

    assert Page.objects.count() == pages_before
    submission.refresh_from_db()
    assert submission.events.filter(to_status="converted").count() == 1


def test_a_failed_conversion_leaves_the_submission_received_and_no_page(
    client, django_capture_on_commit_callbacks, monkeypatch, settings
):
    def no_review(*args, **kwargs):
        raise review_service.ReviewUnavailable("no workflow today")

    monkeypatch.setattr("submissions.services.convert.start_review", no_review)
    image_files_before = set(get_image_model().objects.values_list("file", flat=True))
    pages_before = Page.objects.count()
    submission, _ = _submit(
        client,
        django_capture_on_commit_callbacks,
        valid_payload(hero_attachment=0),
        [("hero.png", make_image())],
    )

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RECEIVED and submission.page_id is None
    assert Page.objects.count() == pages_before
    assert set(get_image_model().objects.values_list("file", flat=True)) == image_files_before
    hero = SubmissionAttachment.objects.get(submission=submission)
    assert hero.image is None
    leftovers = list((settings.MEDIA_ROOT / "original_images").glob(f"submission-{hero.pk}*"))
    assert leftovers == [], "the image file written before the failure is removed"


def test_an_update_of_a_published_case_becomes_a_draft_revision_of_that_page(
    client, django_capture_on_commit_callbacks, moderator, en_cases
):
    case = en_cases.first()
    live_title, pages_before = case.title, Page.objects.count()
    payload = valid_payload(updates_case=case.pk, title=f"{case.title} (updated)", consent={"terms": True})
    submission, _ = _submit(client, django_capture_on_commit_callbacks, payload)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.page_id == case.pk and Page.objects.count() == pages_before, "no new page"
    case.refresh_from_db()
    assert case.live and case.title == live_title, "the live version stays until approval"
    draft = case.get_latest_revision_as_object()
    assert draft.title.endswith("(updated)") and draft.organisation == "City of Tartu"
    assert case.workflow_in_progress and case.current_workflow_task_state.revision_id == submission.revision_id

    _act(client, moderator, case, "approve")
    case.refresh_from_db()
    assert case.title.endswith("(updated)") and case.live_revision_id == submission.revision_id
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PUBLISHED


def test_an_update_of_a_case_already_in_review_waits(client, django_capture_on_commit_callbacks, en_cases):
    case = en_cases.first()
    first, _ = _submit(client, django_capture_on_commit_callbacks, valid_payload(updates_case=case.pk))
    second, _ = _submit(client, django_capture_on_commit_callbacks, valid_payload(updates_case=case.pk, title="B"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SubmissionStatus.IN_REVIEW
    assert second.status == SubmissionStatus.RECEIVED and second.page_id is None, "converted once the review ends"
    with pytest.raises(ConversionError):
        convert_submission(second)


def test_publishing_outside_the_workflow_still_publishes_the_submission(
    client, django_capture_on_commit_callbacks, editor
):
    submission, _ = _submit(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    page.current_workflow_state.cancel(user=editor)
    page.get_latest_revision().publish(user=editor)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PUBLISHED
    assert submission.events.last().note == "Published outside the review workflow."
