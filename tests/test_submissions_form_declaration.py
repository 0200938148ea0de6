"""The submission form is declared once (``submissions.forms.FORM``): what is derived from it agrees."""

from __future__ import annotations

from django.http import QueryDict

from submissions.forms import FIELDS, REQUIRED, build_document, control_name, initial_data
from submissions.models import SubmitterContact
from tests.test_submissions_form import form_data


def _posted(**overrides) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in form_data(**overrides).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_a_stored_submission_comes_back_into_the_form_as_it_was_sent():
    document = build_document(_posted(hero_first="on", link_title_2="Later", link_url_2="https://example.org"), "en")
    contact = SubmitterContact(
        **document["contact"],
        consent_terms=document["consent"]["terms"],
        consent_publish_contact=document["consent"]["publish_contact"],
        licence=document["consent"]["licence"],
    )
    payload = {key: value for key, value in document.items() if key not in ("contact", "consent")}

    assert build_document(initial_data(payload, contact), "en") == document
    assert document["links"][1] == {"title": "Later", "url": "https://example.org"}, "empty rows are left out"
    assert document["hero_attachment"] == 0


def test_what_nothing_was_typed_in_is_left_out_of_the_document():
    document = build_document(
        _posted(population=" ", lat="", lon="", hero_first="", link_title_0="", link_url_0=""), "en"
    )
    assert {"population", "coordinates", "hero_attachment"}.isdisjoint(document)
    assert document["links"] == [] and document["metrics"] == [{"label": "Votes cast", "value": 12345, "unit": "votes"}]


def test_every_error_about_a_control_s_path_names_that_control():
    for field in FIELDS:
        assert control_name(field.path) == field.name
    assert control_name("stages.1") == "stages" and control_name("attachments.3") == "attachments"
    assert control_name("links.0") == "link_title_0" and control_name("coordinates") == "lat"
    assert control_name("locale") is None and control_name("captcha") is None


def test_the_required_marks_are_the_schema_s():
    assert {"title", "country", "stages", "body_results", "contact_email", "consent_terms"} <= REQUIRED
    assert {"city", "population", "lat", "end_year", "body_lessons", "link_url_0", "licence"}.isdisjoint(REQUIRED)
