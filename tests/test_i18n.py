"""Interface strings in Russian (German, French): reader pages, the submission form, API error messages, the PO files.

The .mo files are compiled from locale/<language>/LC_MESSAGES/django.po by scripts/bootstrap.sh (docs/translations.md).
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings

from manual.models import CaseStudyPage
from tests.support.submissions import form_data

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_FILE = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
# Every shipped catalogue, with its number of plural forms. A new language's .po must be complete.
CATALOGUES = {"ru": 3, "de": 2, "fr": 2}


def test_every_shipped_catalogue_is_listed_here():
    shipped = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")}
    assert shipped == set(CATALOGUES)


@pytest.mark.parametrize(("language", "plurals"), CATALOGUES.items())
def test_every_entry_is_translated_and_none_is_fuzzy(language, plurals):
    po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    source = polib.pofile(str(PO_FILE))
    assert len(po) > 100
    assert {entry.msgid for entry in po} == {entry.msgid for entry in source}, "every catalogue has every msgid"
    assert not po.metadata_is_fuzzy
    untranslated = [entry.msgid for entry in po if not entry.translated()]
    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags]
    obsolete = [entry.msgid for entry in po.obsolete_entries()]
    assert untranslated == [] and fuzzy == [] and obsolete == []
    for entry in po:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == plurals and all(entry.msgstr_plural.values()), entry.msgid
        else:
            assert entry.msgstr.strip(), entry.msgid
            copied = entry.msgstr == entry.msgid and len(entry.msgid) >= 15
            assert not copied, f"{language}: copied, not translated: {entry.msgid}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_the_translations_are_compiled(language):
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo = po_file.with_suffix(".mo")
    assert mo.exists(), "run scripts/bootstrap.sh (make install-dev) to compile the translations"
    assert mo.stat().st_mtime >= po_file.stat().st_mtime, "the .mo file is older than the .po file"


@pytest.mark.django_db
def test_the_russian_case_page_speaks_russian(client, ru):
    case = CaseStudyPage.objects.live().filter(locale=ru, alias_of__isnull=True).first()
    html = client.get(case.url).content.decode()
    assert "Перейти к содержанию" in html and "Skip to content" not in html
    assert "<dt>Организация</dt>" in html and "<dt>Organisation</dt>" not in html
    assert "Руководство по электронному участию" in html


@pytest.mark.django_db
def test_the_english_case_page_stays_english(client, en):
    case = CaseStudyPage.objects.live().filter(locale=en).first()
    html = client.get(case.url).content.decode()
    assert "Skip to content" in html and "<dt>Organisation</dt>" in html


@pytest.mark.django_db
def test_the_russian_form_has_russian_labels_and_errors(client):
    html = client.get("/ru/submit/").content.decode()
    assert "Предложить практический пример" in html
    assert "Организация, реализующая инициативу" in html and "Отправить пример" in html

    response = client.post("/ru/submit/", form_data(contact_email="not-an-address", body_results=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Введите правильный адрес электронной почты." in html
    assert "Это поле обязательно для заполнения." in html
    assert "Enter a valid e-mail address." not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field", "code", "english", "russian"),
    [
        ("/api/v1/cases?locale=xx", "locale", "unknown_locale", "Unknown locale 'xx'", "Неизвестный язык 'xx'"),
        (
            "/api/v1/cases?country=ZZ",
            "country",
            "unknown_code",
            "Unknown country code(s): 'ZZ'",
            "Неизвестные коды в фильтре country",
        ),
        ("/api/v1/search?sort=nope", "sort", "invalid_choice", "One of ", "Одно из значений"),
    ],
)
def test_api_messages_follow_accept_language_and_codes_do_not(client, path, field, code, english, russian):
    default = client.get(path)
    in_russian = client.get(path, headers={"Accept-Language": "ru"})
    assert default.status_code == in_russian.status_code == 400
    error, error_ru = default.json()["errors"][0], in_russian.json()["errors"][0]
    assert error["field"] == error_ru["field"] == field
    assert error["code"] == error_ru["code"] == code
    assert english in error["message"]
    assert russian in error_ru["message"]


@pytest.mark.django_db
def test_api_404_and_submission_errors_in_russian(client):
    response = client.get("/api/v1/cases/999999999", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["code"] == "not_found" and "Не найдено опубликованной страницы" in error["message"]

    response = client.post(
        "/api/v1/submissions", data="[]", content_type="application/json", headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 400
    codes = {error["code"]: error["message"] for error in response.json()["errors"]}
    assert codes.get("invalid") == "Заявка должна быть объектом JSON."


@pytest.mark.django_db
def test_api_messages_follow_the_locale_parameter(client):
    response = client.get("/api/v1/cases?locale=ru&country=ZZ")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "unknown_code" and "Неизвестные коды в фильтре country" in error["message"]
    # An unknown locale is refused in the language of the request, not by guessing.
    response = client.get("/api/v1/cases?locale=xx")
    assert response.json()["errors"][0]["message"].startswith("Unknown locale")
