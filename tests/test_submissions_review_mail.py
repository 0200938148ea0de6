"""Review e-mails, requests for changes with an edit link, resubmission of the same submission, rejection."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from manual.models import CaseStudyPage
from manual.services.review import MODERATORS
from submissions.models import Submission, SubmissionStatus
from submissions.services import review
from tests.support.forms import started
from tests.support.mail import edit_link, sent_to
from tests.support.samples import make_image
from tests.support.submissions import form_data, post_json, post_multipart, valid_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderators(django_user_model):
    """Two moderators with an address, one without (gets nothing), one inactive (gets nothing)."""
    group = Group.objects.get(name=MODERATORS)
    users = []
    for name, email, active in [
        ("mod1", "mod1@example.org", True),
        ("mod2", "mod2@example.org", True),
        ("mod3", "", True),
        ("mod4", "mod4@example.org", False),
    ]:
        user = django_user_model.objects.create_user(username=name, email=email, password="pw", is_active=active)
        user.groups.add(group)
        users.append(user)
    return users


def _submit(client, capture, payload=None, attachments=None) -> Submission:
    with capture(execute=True):
        if attachments is None:
            response = post_json(client, payload or valid_payload())
        else:
            response = post_multipart(client, payload or valid_payload(), attachments)
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def _html(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def _act(client, user, page, action: str, **data):
    state = page.current_workflow_task_state
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, state.pk))
    return client.post(url, data)


def _edit_post(**overrides):
    data = form_data(**overrides)
    data["form_started"] = started(seconds_ago=60)
    return data


# --- e-mails on arrival ------------------------------------------------------------------------


def test_arrival_sends_a_receipt_to_the_submitter_and_a_notice_to_each_moderator(
    client, django_capture_on_commit_callbacks, moderators
):
    mail.outbox.clear()
    submission = _submit(client, django_capture_on_commit_callbacks)

    [receipt] = sent_to("mari@example.org")
    assert receipt.subject == "We received your case"
    # The address was typed by a stranger: nothing else they typed reaches it (no open relay for text).
    for typed in ("Neighbourhood budget", "Residents of Tartu propose", "Mari Maasikas"):
        assert typed not in receipt.subject + receipt.body + _html(receipt)
    assert f"/en/submit/status/{submission.pk}/?token=" in receipt.body
    assert f"/en/submit/status/{submission.pk}/?token=" in _html(receipt)
    # The link works: the token in the e-mail is the status token.
    path = re.search(r"https?://[^/]+(/\S+)", receipt.body).group(1)
    assert client.get(path).status_code == 200

    # (Wagtail sends its own workflow notifications too: ours are those with our subject.)
    notices = [m for m in mail.outbox if m.subject == "New case submitted: “Neighbourhood budget of Tartu”"]
    assert sorted(m.to[0] for m in notices) == ["mod1@example.org", "mod2@example.org"], "one each, no cc"
    notice = notices[0]
    page_edit = reverse("wagtailadmin_pages:edit", args=(submission.page_id,))
    assert page_edit in notice.body and page_edit in _html(notice)
    assert "City of Tartu" in notice.body and "Estonia" in notice.body and "English" in notice.body
    assert "mari@example.org" not in notice.body


def test_a_russian_submission_gets_russian_mail(client, django_capture_on_commit_callbacks, moderators):
    mail.outbox.clear()
    _submit(client, django_capture_on_commit_callbacks, valid_payload(locale="ru", title="Бюджет района Тарту"))
    [receipt] = sent_to("mari@example.org")
    assert receipt.subject == "Мы получили ваш кейс"
    assert "Здравствуйте" in receipt.body and "/ru/submit/status/" in receipt.body
    assert "Здравствуйте" in _html(receipt) and 'lang="ru"' in _html(receipt)
    [notice] = [m for m in sent_to("mod1@example.org") if m.subject.startswith("Новый кейс")]
    assert notice.subject == "Новый кейс на проверку: «Бюджет района Тарту»" and "Эстония" in notice.body
    assert "Язык" in notice.body and "Язык" in _html(notice)


def test_a_refused_submission_sends_nothing(client, django_capture_on_commit_callbacks, moderators):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, valid_payload(title=""))
    assert response.status_code == 400
    assert mail.outbox == []


def test_an_idempotent_replay_sends_nothing_again(client, django_capture_on_commit_callbacks, moderators):
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(client, valid_payload(), **{"Idempotency-Key": "k-1"}).status_code == 201
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(client, valid_payload(), **{"Idempotency-Key": "k-1"}).status_code == 201
    assert mail.outbox == []


def test_the_import_sends_no_mail(tmp_path, moderators, django_capture_on_commit_callbacks):
    item = valid_payload(title="Imported case")
    item["external_id"] = "mail-test-1"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([item]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cases", str(path), "--publish")
    assert CaseStudyPage.objects.filter(title="Imported case", live=True).exists()
    assert mail.outbox == []


# --- publication -------------------------------------------------------------------------------


def test_approval_mails_the_live_address(client, django_capture_on_commit_callbacks, moderator):
    submission = _submit(client, django_capture_on_commit_callbacks, valid_payload(locale="ru", title="Кейс"))
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(client, moderator, page, "approve").status_code == 302
    page.refresh_from_db()
    [message] = sent_to("mari@example.org")
    assert message.subject == "Ваш кейс «Кейс» опубликован"
    assert page.get_full_url() in message.body and page.get_full_url() in _html(message)


# --- request changes, edit, resubmit -----------------------------------------------------------


def test_request_changes_in_the_workflow_sends_an_edit_link(client, django_capture_on_commit_callbacks, moderator):
    submission = _submit(client, django_capture_on_commit_callbacks)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, moderator, page, "reject", comment="Please add the results of 2023.")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED
    event = submission.events.last()
    assert (event.actor, event.note) == (moderator, "Please add the results of 2023.")
    assert submission.edit_token_hash and submission.edit_token_expires_at > timezone.now() + timedelta(days=29)
    [message] = sent_to("mari@example.org")
    assert message.subject == "Please correct your case “Neighbourhood budget of Tartu”"
    assert "Please add the results of 2023." in message.body and "Please add the results of 2023." in _html(message)
    path, token = edit_link(message)
    assert path == f"/en/submit/{submission.pk}/edit/"
    assert token not in submission.edit_token_hash, "only the hash is stored"

    client.logout()
    response = client.get(path, {"token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please add the results of 2023." in html
    assert 'value="Neighbourhood budget of Tartu"' in html and 'value="mari@example.org"' in html
    assert 'value="budget" checked' in html
    # The token never goes to another site; "no-referrer" would make browsers post with Origin: null
    # (refused by the CSRF check): tests/browser/test_resubmit_browser.py.
    assert response["Referrer-Policy"] == "same-origin"


def _changes_requested(client, capture, moderator, payload=None, attachments=None):
    submission = _submit(client, capture, payload, attachments)
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    mail.outbox.clear()
    with capture(execute=True):
        review.request_changes(submission, "Add the results.", moderator)
    client.logout()
    [message] = sent_to("mari@example.org")
    return submission, page, edit_link(message)


def test_request_changes_called_directly_rejects_the_running_task(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, page, _ = _changes_requested(client, django_capture_on_commit_callbacks, moderator)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED
    assert submission.events.filter(to_status="changes_requested").count() == 1
    state = WorkflowState.objects.get(pk=submission.workflow_state_id)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "Add the results."


def test_a_correction_with_an_error_keeps_the_values_and_changes_nothing(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, page, (path, token) = _changes_requested(client, django_capture_on_commit_callbacks, moderator)
    revisions = page.revisions.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{path}?token={token}", _edit_post(title="Changed title", body_results=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Changed title"' in html and 'aria-invalid="true"' in html
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED
    assert submission.payload["title"] == "Neighbourhood budget of Tartu"
    assert page.revisions.count() == revisions
    assert not [m for m in mail.outbox if m.subject.startswith("Case corrected")]


def test_a_correction_makes_a_new_revision_of_the_same_draft_back_in_review(
    client, django_capture_on_commit_callbacks, moderator, moderators
):
    submission, page, (path, token) = _changes_requested(
        client,
        django_capture_on_commit_callbacks,
        moderator,
        valid_payload(hero_attachment=0),
        [("hero.png", make_image())],
    )
    revisions, pages = page.revisions.count(), CaseStudyPage.objects.count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{path}?token={token}",
            _edit_post(title="Tartu budget, with results", body_results="12,345 votes in 2023.", hero_first="on"),
        )
    assert response.status_code == 200, response.content.decode()[:2000]

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.page_id == page.pk and CaseStudyPage.objects.count() == pages
    assert submission.payload["title"] == "Tartu budget, with results"
    assert submission.attachments.count() == 1, "the stored image is kept"
    assert page.revisions.count() == revisions + 1
    page.refresh_from_db()
    draft = page.get_latest_revision_as_object()
    assert draft.title == "Tartu budget, with results" and "12,345 votes" in draft.results
    assert draft.hero_image is not None
    assert page.workflow_in_progress
    assert page.current_workflow_state.pk == submission.workflow_state_id
    assert page.current_workflow_task_state.revision_id == submission.revision_id == page.latest_revision_id
    statuses = [e.to_status for e in submission.events.all()]
    assert statuses[-4:] == ["changes_requested", "received", "converted", "in_review"]
    assert submission.events.get(to_status="received", from_status="changes_requested").note == (
        "Resubmitted by the submitter."
    )
    notices = [m for m in mail.outbox if m.subject == "Case corrected and sent again: “Tartu budget, with results”"]
    addresses = {m.to[0] for m in notices}
    assert {"mod1@example.org", "mod2@example.org"} <= addresses and "mod4@example.org" not in addresses
    assert reverse("wagtailadmin_pages:edit", args=(page.pk,)) in notices[0].body

    # The link is used up; the moderator can approve the corrected draft.
    assert client.get(path, {"token": token}).status_code in {403, 404}
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, moderator, page, "approve")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PUBLISHED
    page.hero_image.file.delete(save=False) if page.hero_image else None


def test_wrong_and_expired_edit_links_are_refused(client, django_capture_on_commit_callbacks, moderator):
    submission, page, (path, token) = _changes_requested(client, django_capture_on_commit_callbacks, moderator)
    assert client.get(path, {"token": "wrong"}).status_code == 404
    assert client.post(f"{path}?token=wrong", _edit_post(title="X")).status_code == 404
    assert client.get(f"/en/submit/{submission.pk}/edit/").status_code == 404

    Submission.objects.filter(pk=submission.pk).update(edit_token_expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path, {"token": token})
    assert response.status_code == 403 and "expired" in response.content.decode()
    assert client.post(f"{path}?token={token}", _edit_post(title="X")).status_code == 403
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED and submission.payload["title"] != "X"


def test_request_changes_needs_a_reason_and_a_submission_in_review(
    client, django_capture_on_commit_callbacks, moderator
):
    submission = _submit(client, django_capture_on_commit_callbacks)
    for reason in ("", "   ", "x" * 2001):
        with pytest.raises(review.ReviewActionError):
            review.request_changes(submission, reason, moderator)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    review.reject_submission(submission, "Out of scope.", moderator)
    with pytest.raises(review.ReviewActionError, match="cannot be"):
        review.request_changes(submission, "Add the results.", moderator)


# --- rejection ---------------------------------------------------------------------------------


def test_reject_submission_needs_a_reason(client, django_capture_on_commit_callbacks, moderator):
    submission = _submit(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(review.ReviewActionError) as refused:
        review.reject_submission(submission, " ", moderator)
    assert "reason" in str(refused.value)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW and mail.outbox == []


def test_reject_submission_cancels_the_workflow_and_mails_the_reason(
    client, django_capture_on_commit_callbacks, moderator
):
    submission = _submit(client, django_capture_on_commit_callbacks, valid_payload(locale="ru", title="Кейс"))
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.reject_submission(submission, "Это не кейс электронного участия.", moderator)
    assert submission.status == SubmissionStatus.REJECTED
    event = submission.events.last()
    assert (event.actor, event.note) == (moderator, "Это не кейс электронного участия.")
    page.refresh_from_db()
    assert not page.workflow_in_progress and page.current_workflow_state is None and not page.live
    [message] = sent_to("mari@example.org")
    assert message.subject == "Ваш кейс «Кейс» не принят"
    assert "Это не кейс электронного участия." in message.body and "Это не кейс" in _html(message)


def test_reject_submission_after_changes_were_requested_closes_the_edit_link(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, page, (path, token) = _changes_requested(client, django_capture_on_commit_callbacks, moderator)
    review.reject_submission(submission, "No answer from the submitter.", moderator)
    assert submission.status == SubmissionStatus.REJECTED
    assert client.get(path, {"token": token}).status_code == 404
    assert page.current_workflow_state is None


# --- the API equivalent of the edit link -------------------------------------------------------


def test_put_corrects_the_submission_through_the_api(client, django_capture_on_commit_callbacks, moderator):
    submission, page, (_path, token) = _changes_requested(client, django_capture_on_commit_callbacks, moderator)
    url = f"/api/v1/submissions/{submission.pk}"

    wrong = client.put(f"{url}?token=wrong", json.dumps(valid_payload()), content_type="application/json")
    assert wrong.status_code == 404 and wrong.json()["errors"][0]["code"] == "not_found"

    invalid = client.put(f"{url}?token={token}", json.dumps(valid_payload(title="")), content_type="application/json")
    assert invalid.status_code == 400 and {e["field"] for e in invalid.json()["errors"]} == {"title"}
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            f"{url}?token={token}",
            json.dumps(valid_payload(title="Tartu budget (API)")),
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] in {"received", "in_review"}  # in_review once the commit converted it
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW and submission.page_id == page.pk
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().title == "Tartu budget (API)"

    again = client.put(f"{url}?token={token}", json.dumps(valid_payload()), content_type="application/json")
    assert again.status_code == 403 and again.json()["errors"][0]["code"] == "edit_link_closed"


def test_a_russian_request_for_changes_is_in_russian_end_to_end(
    client, django_capture_on_commit_callbacks, moderator, moderators
):
    payload = valid_payload(locale="ru", title="Бюджет района Тарту")
    submission, page, (path, token) = _changes_requested(client, django_capture_on_commit_callbacks, moderator, payload)
    [message] = sent_to("mari@example.org")
    assert message.subject == "Пожалуйста, исправьте ваш кейс «Бюджет района Тарту»"
    assert "Add the results." in message.body and "Исправьте его" in _html(message)
    assert path == f"/ru/submit/{submission.pk}/edit/"

    html = client.get(path, {"token": token}).content.decode()
    assert "Исправление вашего кейса" in html and "Add the results." in html

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{path}?token={token}", _edit_post(title="Бюджет района Тарту, итоги"))
    assert response.status_code == 200 and "Ваш исправленный кейс отправлен" in response.content.decode()
    submission.refresh_from_db()
    assert submission.locale == "ru" and submission.status == SubmissionStatus.IN_REVIEW
    subjects = [m.subject for m in sent_to("mod1@example.org")]
    assert "Кейс исправлен и отправлен снова: «Бюджет района Тарту, итоги»" in subjects
