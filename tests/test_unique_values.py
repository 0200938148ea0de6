"""``core.unique_values``: a page's ``validate_unique`` does not look up the unique values its own row
holds, and still refuses every new or changed value that clashes (the manual's pages use it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manual.models import CaseStudyPage, ManualSectionPage

pytestmark = pytest.mark.django_db


def two_cases() -> tuple[CaseStudyPage, CaseStudyPage]:
    first, second = CaseStudyPage.objects.filter(locale__language_code="en", alias_of__isnull=True)[:2]
    return first, second


def test_the_values_a_page_read_or_saved_holds_are_not_looked_up_again():
    page, _ = two_cases()
    with CaptureQueriesContext(connection) as read:
        page.validate_unique()
    assert len(read) == 0

    page.title = "A new title"
    page.save_revision()  # Wagtail cleans and saves the page
    with CaptureQueriesContext(connection) as saved:
        page.validate_unique()
    assert len(saved) == 0


def test_a_changed_value_that_clashes_is_refused():
    page, other = two_cases()
    page.translation_key = other.translation_key  # same locale: the pair is taken
    with pytest.raises(ValidationError) as refused:
        page.validate_unique()
    assert "__all__" in refused.value.message_dict

    page, other = two_cases()
    page.path = other.path
    with pytest.raises(ValidationError) as refused:
        page.validate_unique()
    assert "path" in refused.value.message_dict


def test_a_value_not_written_by_the_last_save_is_still_checked():
    page, other = two_cases()
    page.translation_key = other.translation_key
    page.title = "Only the title is saved"
    page.save(update_fields=["title"], clean=False)
    with pytest.raises(ValidationError):
        page.validate_unique()


def test_a_new_page_and_a_copy_are_checked_as_before():
    page, _ = two_cases()
    section = ManualSectionPage.objects.filter(locale__language_code="en").first()
    assert section is not None
    new = ManualSectionPage(title="New", slug="new", path=section.path, depth=section.depth, locale=section.locale)
    with pytest.raises(ValidationError) as refused:
        new.validate_unique()
    assert "path" in refused.value.message_dict

    copy = CaseStudyPage.objects.get(pk=page.pk)
    copy.pk = copy.id = copy.page_ptr_id = None
    copy._state.adding = True
    with pytest.raises(ValidationError):
        copy.validate_unique()  # its path and translation key are the original's
