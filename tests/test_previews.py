"""Headless preview tokens expire, and their stored drafts are deleted (manual.services.previews)."""

from __future__ import annotations

import time
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from wagtail_headless_preview.models import PagePreview

from manual.models import CaseStudyPage

pytestmark = pytest.mark.django_db


def _draft_preview(title: str) -> tuple[str, str]:
    case = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True).first()
    case.title = title
    preview = case.create_page_preview()
    return case.get_content_type_str(), preview.token


def _later(seconds: int):
    """Django's signer reads the clock through its own ``time`` module: move that clock only."""
    now = time.time() + seconds
    return mock.patch("django.core.signing.time.time", return_value=now)


def test_a_preview_link_works_until_its_max_age_then_answers_410(client, settings):
    settings.HEADLESS_PREVIEW_MAX_AGE = 600
    content_type, token = _draft_preview("Draft seen by the front end")
    query = {"content_type": content_type, "token": token}
    with _later(590):
        response = client.get("/api/preview", query)
    assert response.status_code == 200 and response.json()["page"]["title"] == "Draft seen by the front end"
    with _later(610):
        response = client.get("/api/preview", query)
    assert response.status_code == 410
    assert response.json()["errors"] == [
        {"field": "token", "code": "expired", "message": "This preview has expired; preview again."}
    ]
    assert not PagePreview.objects.filter(token=token).exists(), "the expired draft is deleted on sight"


def test_purge_previews_deletes_the_drafts_of_expired_tokens_only(settings):
    settings.HEADLESS_PREVIEW_MAX_AGE = 600
    _content_type, old = _draft_preview("Old draft")
    with _later(700):
        _content_type, fresh = _draft_preview("Fresh draft")  # a new timestamp: a new token and row
        PagePreview.objects.create(token="forged", content_type_id=PagePreview.objects.get(token=fresh).content_type_id)
        out = StringIO()
        call_command("purge_previews", "--dry-run", stdout=out)
        assert "would delete" in out.getvalue() and PagePreview.objects.filter(token=old).exists()
        out = StringIO()
        call_command("purge_previews", stdout=out)
    remaining = set(PagePreview.objects.values_list("token", flat=True))
    assert old not in remaining and "forged" not in remaining and fresh in remaining
    assert "deleted 2 expired preview(s)" in out.getvalue()
