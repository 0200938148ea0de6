"""The HTML form at /<locale>/submit/: no JavaScript needed, errors by field, honeypot and minimum time."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionStatus
from tests.support.forms import started
from tests.support.samples import CASE_DOCX, word_document
from tests.support.stored_files import private_files
from tests.support.submissions import FORM, form_data, post_json, valid_payload

pytestmark = pytest.mark.django_db


def test_the_form_is_plain_html_with_a_label_for_every_control(client):
    response = client.get(FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert "<script" not in html
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and ids <= labelled, ids - labelled
    assert html.count("<fieldset") == html.count("<legend>")
    assert 'name="form_started"' in html and 'name="website"' in html


def test_the_form_speaks_the_visitors_language(client):
    html = client.get("/ru/submit/").content.decode()
    assert '<html lang="ru"' in html


def test_a_post_with_an_error_keeps_what_was_typed_and_names_the_field(client):
    submissions = Submission.objects.count()
    response = client.post(FORM, form_data(link_url_0="javascript:alert(1)", contact_email="not-an-address"))
    assert response.status_code == 400
    html = response.content.decode()
    assert Submission.objects.count() == submissions

    # The fields in error: marked, linked to their message, listed at the top.
    for name in ("link_url_0", "contact_email"):
        assert re.search(rf'id="id_{name}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*{name}-error', html), name
        assert f'id="{name}-error"' in html
        assert f'href="#id_{name}"' in html
    assert "Enter a full address starting with http:// or https://." in html
    assert "Enter a valid e-mail address." in html
    # What was typed is still there, choices included.
    assert 'value="Neighbourhood budget of Tartu"' in html
    assert 'value="javascript:alert(1)"' in html
    assert ">Tartu wanted residents to shape spending.</textarea>" in html
    assert re.search(r'value="decision" checked', html) and re.search(r'<option value="EE" selected>', html)
    assert re.search(r'id="id_consent_terms" checked', html)


def test_a_missing_required_field_is_named(client):
    response = client.post(FORM, form_data(body_results="", stages=[]))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="body_results-error"' in html and 'id="stages-error"' in html
    assert "This field is required." in html


def test_a_correct_post_creates_the_submission_and_a_draft_and_shows_its_status(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, form_data())
    assert response.status_code == 303, response.content.decode()[:2000]
    location = response["Location"]
    assert re.fullmatch(r"/en/submit/status/[0-9a-f-]{36}/\?token=[\w-]+", location)

    submission = Submission.objects.get(payload__title="Neighbourhood budget of Tartu")
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.events.first().note == "Received (form)."
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert not page.live and page.locale.language_code == "en"
    assert page.links.get().url == "https://www.tartu.ee/en/participatory-budgeting"
    assert submission.contact.email == "mari@example.org"

    status_page = client.get(location)
    assert status_page.status_code == 200
    assert "no-store" in status_page["Cache-Control"]
    html = status_page.content.decode()
    assert 'data-status="in_review"' in html and "In review" in html and "Received (form)." in html
    assert client.get(location.split("?")[0] + "?token=wrong").status_code == 404


def test_the_submission_takes_the_language_of_the_form(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ru/submit/", form_data())
    assert response.status_code == 303
    assert response["Location"].startswith("/ru/submit/status/")
    assert Submission.objects.get(payload__title="Neighbourhood budget of Tartu").locale == "ru"


@pytest.mark.parametrize(
    "overrides",
    [
        {"website": "https://spam.example"},  # the honeypot, filled by a bot
        {"form_started": "just now"},  # faster than a person (signed when the test runs)
        {"form_started": "forged"},  # no valid timestamp
        {"form_started": ""},
    ],
    ids=["honeypot", "too-fast", "forged-timestamp", "no-timestamp"],
)
def test_bots_are_refused_and_nothing_is_stored(client, overrides):
    if overrides.get("form_started") == "just now":
        overrides = {"form_started": started(seconds_ago=1)}
    submissions = Submission.objects.count()
    response = client.post(FORM, form_data(**overrides))
    assert response.status_code == 400
    assert "Your case was not sent." in response.content.decode()
    assert Submission.objects.count() == submissions
    assert private_files() == []


@override_settings(SUBMISSIONS_FORM_MIN_SECONDS=0)
def test_the_minimum_time_is_a_setting(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, form_data(form_started=started(seconds_ago=0)))
    assert response.status_code == 303


def test_the_api_has_no_honeypot_or_minimum_time(client):
    """These two checks are the form's only: the API's refusals are about the document."""
    response = post_json(client, {**valid_payload(), "website": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "website"


def test_the_story_may_come_as_a_word_document(client, django_capture_on_commit_callbacks):
    data = form_data(body_context="", body_objectives="", body_approach="", body_results="")
    data["body_docx"] = SimpleUploadedFile("story.docx", word_document(CASE_DOCX))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, data)
    assert response.status_code == 303, response.content.decode()[:3000]
    submission = Submission.objects.get(payload__title="Neighbourhood budget of Tartu")
    assert submission.payload["body"]["lessons"] == "<p>Keep the rules simple.</p>"


def test_a_start_token_is_single_use(client, settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    data = form_data()
    first = client.post(FORM, data)
    assert first.status_code == 303, first.content
    replay = client.post(FORM, {**data, "title": "Same token, other text"})
    assert replay.status_code == 400
    assert "Your case was not sent" in replay.content.decode()
    assert Submission.objects.count() == 1
