"""The submissions admin: access, listing filters, detail, duplicate warning, downloads, actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionAttachment, SubmissionStatus
from submissions.services.spam import mark_spam
from tests.support.samples import make_image, make_pdf
from tests.support.submissions import post_json, post_multipart, valid_payload

pytestmark = pytest.mark.django_db
INDEX = "/admin/submissions/"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0


def received(client, **overrides) -> Submission:
    """A stored submission; conversion (queued on commit) does not run inside the test's transaction."""
    response = post_json(client, valid_payload(**overrides))
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def in_review(client, capture, **overrides) -> Submission:
    with capture(execute=True):
        submission = received(client, **overrides)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    return submission


def detail_url(submission) -> str:
    return reverse("submissions_admin:detail", args=[submission.pk])


def action_url(submission, action) -> str:
    return reverse("submissions_admin:action", args=[submission.pk, action])


def titles(response) -> set[str]:
    return {s.title for s in Submission.objects.all() if s.title in response.content.decode()}


def test_anonymous_and_translators_are_refused(client, translator):
    submission = received(client)
    attachment_url = reverse("submissions_admin:download", args=[submission.pk, submission.pk])
    for url in (INDEX, detail_url(submission), attachment_url, action_url(submission, "spam")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(translator)
    for url in (INDEX, detail_url(submission), attachment_url):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert submission.title not in response.content.decode()
    assert client.post(action_url(submission, "spam")).status_code in (302, 403)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.RECEIVED
    menu = client.get("/admin/")
    assert INDEX not in menu.content.decode(), "no menu item for translators"


def test_a_moderator_lists_filters_and_searches(client, moderator):
    tartu = received(client)
    russian = received(client, locale="ru", title="Бюджет района Тарту")
    vienna = received(client, title="Vienna climate council", country="AT", organisation="City of Vienna", city="Wien")
    Submission.objects.filter(pk=vienna.pk).update(status=SubmissionStatus.REJECTED)
    client.force_login(moderator)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert titles(response) == {tartu.title, russian.title, vienna.title}
    assert "Submissions" in client.get("/admin/").content.decode()

    assert titles(client.get(INDEX, {"status": "rejected"})) == {vienna.title}
    assert titles(client.get(INDEX, {"locale": "ru"})) == {russian.title}
    assert titles(client.get(INDEX, {"country": "AT"})) == {vienna.title}
    assert titles(client.get(INDEX, {"q": "vienna"})) == {vienna.title}
    assert titles(client.get(INDEX, {"created_at_from": "2000-01-01", "created_at_to": "2000-01-02"})) == set()
    results = client.get(reverse("submissions_admin:index_results"), {"status": "rejected"})
    assert results.status_code == 200 and titles(results) == {vienna.title}


def test_listing_costs_the_same_queries_for_1_or_10_submissions(client, moderator):
    received(client)
    client.force_login(moderator)
    client.get(INDEX)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as one:
        assert client.get(INDEX).status_code == 200
    for number in range(9):
        received(client, title=f"Case number {number}")
    with CaptureQueriesContext(connection) as ten:
        response = client.get(INDEX)
    assert len(titles(response)) == 10
    assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]


def test_detail_shows_everything_history_and_a_duplicate_warning(client, django_capture_on_commit_callbacks, editor):
    first = in_review(client, django_capture_on_commit_callbacks)
    second = received(client, title=first.title.upper())
    other = received(client, title="Something else entirely", organisation="Elsewhere", city="Narva")
    client.force_login(editor)

    response = client.get(detail_url(second))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-duplicate-warning" in html
    assert reverse("wagtailadmin_pages:edit", args=[first.page_id]) in html, "the draft case with the same title"
    assert detail_url(first) in html, "the other submission"
    for text in ("Residents of Tartu", "Tartu County", "Votes cast", "mari@example.org", "Participation officer"):
        assert text in html, text
    assert "Received (api)." in html and "data-history" in html

    same_place = received(client, title="Another title", organisation="city of tartu", city="TARTU")
    assert "data-duplicate-warning" in client.get(detail_url(same_place)).content.decode()
    assert "data-duplicate-warning" not in client.get(detail_url(other)).content.decode()

    history = client.get(detail_url(first)).content.decode()
    assert "In review" in history and "Converted into a draft" in history


def test_downloads_stream_the_stored_bytes_as_attachments(client, moderator, translator):
    response = post_multipart(
        client, valid_payload(), [("report.pdf", make_pdf()), ("photo.png", make_image("PNG", (40, 30)))]
    )
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    pdf = SubmissionAttachment.objects.get(submission=submission, position=0)
    url = reverse("submissions_admin:download", args=[submission.pk, pdf.pk])
    client.force_login(moderator)
    assert url in client.get(detail_url(submission)).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    with pdf.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Disposition"].startswith("attachment;") and "report.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    other = received(client)
    assert client.get(reverse("submissions_admin:download", args=[other.pk, pdf.pk])).status_code == 404
    client.force_login(translator)
    assert client.get(url).status_code in (302, 403)


def test_convert_and_spam_change_the_status_and_record_the_actor(client, moderator):
    to_convert = received(client)
    to_spam = received(client, title="Buy cheap watches")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(moderator)
    assert csrf_client.post(action_url(to_spam, "spam"), {"internal_note": "x"}).status_code == 403, "CSRF"
    client.force_login(moderator)
    confirm = client.get(action_url(to_spam, "spam"))
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert Submission.objects.get(pk=to_spam.pk).status == SubmissionStatus.RECEIVED, "GET changes nothing"
    assert client.put(action_url(to_spam, "spam")).status_code == 405

    response = client.post(action_url(to_spam, "spam"), {"note": "", "internal_note": "Advertising."})
    assert response.status_code == 302
    to_spam.refresh_from_db()
    assert to_spam.status == SubmissionStatus.SPAM
    event = to_spam.events.last()
    assert (event.to_status, event.actor, event.note, event.internal_note) == ("spam", moderator, "", "Advertising.")

    response = client.post(action_url(to_convert, "convert"), {})
    assert response.status_code == 302
    to_convert.refresh_from_db()
    assert to_convert.status == SubmissionStatus.IN_REVIEW and to_convert.page_id
    assert {e.actor for e in to_convert.events.filter(to_status__in=["converted", "in_review"])} == {moderator}

    # Not allowed from this status: a message, nothing changes.
    response = client.post(action_url(to_spam, "convert"), {})
    assert response.status_code == 200 and Submission.objects.get(pk=to_spam.pk).status == SubmissionStatus.SPAM


def test_spam_in_review_cancels_the_workflow_and_deletes_the_never_published_draft(
    client, django_capture_on_commit_callbacks, moderator
):
    submission = in_review(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    state = page.current_workflow_state
    assert CaseStudyPage.objects.filter(alias_of=page).exists()

    event = mark_spam(submission, moderator, internal_note="bot")
    assert (event.from_status, event.to_status, event.actor) == ("in_review", "spam", moderator)
    assert (event.note, event.internal_note) == ("", "bot")
    assert not CaseStudyPage.objects.filter(translation_key=page.translation_key).exists(), "draft and aliases"
    remaining = type(state).objects.filter(pk=state.pk).first()
    assert remaining is None or remaining.status == state.STATUS_CANCELLED, "no review left for spam"
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SPAM


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("request_changes", "changes_requested")])
def test_reject_and_request_changes_need_a_reason(
    client, django_capture_on_commit_callbacks, moderator, action, status
):
    submission = in_review(client, django_capture_on_commit_callbacks)
    client.force_login(moderator)
    response = client.post(action_url(submission, action), {"note": "", "internal_note": "Looks thin."})
    assert response.status_code == 200 and "Please write a note to the submitter" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.IN_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(submission, action), {"note": "Please add figures."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == status
    event = submission.events.last()
    assert (event.to_status, event.actor) == (status, moderator)
    assert "Please add figures." in event.note
