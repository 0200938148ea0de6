"""A practitioner in a real browser corrects a case the editors sent back, through the e-mail's link.

The edit page's URL holds the secret edit token. Its ``Referrer-Policy`` must keep that token out of
referrers sent elsewhere *and* let Chromium post the form with a real ``Origin``: under
``no-referrer`` the browser sends ``Origin: null`` and Django's CSRF check answers 403.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionStatus
from submissions.services import review
from tests.support.browser import screenshot
from tests.support.mail import edit_link, sent_to
from tests.support.submissions import post_json, valid_payload

pytestmark = pytest.mark.browser


def _edit_link(address: str) -> str:
    [message] = sent_to(address)
    path, token = edit_link(message)
    return f"{path}?token={token}"


def test_the_edit_link_of_the_e_mail_takes_the_corrected_case_back_into_review(
    visit, client, django_capture_on_commit_callbacks, moderator, settings
):
    settings.SUBMISSIONS_FORM_MIN_SECONDS = 0
    settings.SUBMISSIONS_RATE_LIMIT = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, valid_payload())
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == SubmissionStatus.IN_REVIEW
    page_id = submission.page_id
    revisions = CaseStudyPage.objects.get(pk=page_id).revisions.count()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.request_changes(submission, "Please add the results.", moderator)
    link = _edit_link("mari@example.org")

    page = visit.new_page("en")
    opened = page.goto(link)
    assert opened is not None and opened.status == 200
    # The token reaches no other site through a referrer, yet the form's post keeps its Origin.
    assert opened.headers.get("referrer-policy") == "same-origin"
    expect(page.locator("#reason")).to_contain_text("Please add the results.")
    page.locator('main form[method="post"] [name="title"]').fill("Tartu budget, with results")

    with translation.override("en"):
        send = translation.gettext("Send the corrected case")
    # The live server shares the test's transaction: conversion (queued on commit) runs on leaving.
    with django_capture_on_commit_callbacks(execute=True), page.expect_navigation() as sent:
        page.get_by_role("button", name=send, exact=True).click()
    assert sent.value.status == 200, page.content()[:2000]
    expect(page.locator("#resubmitted")).to_be_visible()
    screenshot(page, "resubmitted-en")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.page_id == page_id, "the same draft, no second page"
    draft_page = CaseStudyPage.objects.get(pk=page_id)
    assert draft_page.revisions.count() == revisions + 1
    assert draft_page.get_latest_revision_as_object().title == "Tartu budget, with results"
    assert draft_page.workflow_in_progress
    assert draft_page.current_workflow_task_state.revision_id == draft_page.latest_revision_id
    statuses = [event.to_status for event in submission.events.all()]
    assert statuses[-4:] == ["changes_requested", "received", "converted", "in_review"]
