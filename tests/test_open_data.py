"""Open data (issue 14 point 6): dumps, codebook, catalogue record, feed, data page, import round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from manual.models import CaseStudyContact, CaseStudyPage, Topic
from manual.services.publication import public_pages
from manual.taxonomy_registry import taxonomy_kinds
from opendata.services import dumps, records
from opendata.services.codebook import record_model
from opendata.services.columns import csv_columns, joined, split
from submissions.services.personal_data.erase import erase
from tests.support.factories import CaseStudyPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_dir(tmp_path) -> Path:
    folder = tmp_path / "exports"
    with override_settings(OPEN_DATA_DIR=folder):
        yield folder


def exported(client, name: str):
    response = client.get(f"/api/v1/export/{name}")
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content).decode()


def json_dump(folder: Path) -> dict:
    return json.loads((folder / "cases.json").read_text(encoding="utf-8"))


def public_case_pairs() -> set[tuple[str, str]]:
    return {
        (str(key), code)
        for key, code in public_pages(CaseStudyPage).values_list("translation_key", "locale__language_code")
    }


# --- The dumps ---------------------------------------------------------------------------------------


def test_the_json_dump_holds_every_public_case_in_every_locale_with_licence_and_provenance(export_dir):
    report = dumps.export_cases()
    document = json_dump(export_dir)
    assert document["format"] == records.EXPORT_FORMAT
    assert document["count"] == report.cases == len(document["cases"]) == len(public_case_pairs())
    assert {(item["translation_key"], item["locale"]) for item in document["cases"]} == public_case_pairs()
    assert {item["locale"] for item in document["cases"]} == {"en", "ru"}
    model = record_model()
    for item in document["cases"]:
        model.model_validate(item)  # the published JSON Schema describes every record
    madrid = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code="ru")
    [record] = [item for item in document["cases"] if item["page_id"] == madrid.pk]
    assert record["id"] == f"{madrid.translation_key}/ru"
    assert record["url"] == madrid.get_full_url() and record["url"].startswith("http")
    assert record["last_modified"] == madrid.last_published_at.isoformat()
    assert (record["licence"], record["licence_url"]) == (madrid.licence, records.LICENCE_URLS[madrid.licence])
    assert record["attribution"]
    assert record["title"] == madrid.title and record["summary"] == madrid.summary
    assert record["topics"] == [term.code for term in madrid.topics.all()]
    assert record["labels"]["topics"] == [
        Topic.objects.get(code=term.code, locale__language_code="ru").label for term in madrid.topics.all()
    ]
    assert record["government_level"] == madrid.government_level.code
    assert "contacts" not in record  # personal data stays on the page (docs/open-data.md)


def test_the_csv_dump_has_one_row_per_case_and_locale_with_codes_and_labels(export_dir):
    dumps.export_cases()
    rows = list(csv.DictReader(io.StringIO((export_dir / "cases.csv").read_text(encoding="utf-8"))))
    records_by_id = {item["id"]: item for item in json_dump(export_dir)["cases"]}
    assert len(rows) == len(records_by_id)
    assert list(rows[0]) == [column.name for column in csv_columns()]
    for kind in taxonomy_kinds():  # every kind of the registry has its columns
        assert kind.field in rows[0] and (f"{kind.field}_labels" if kind.many else f"{kind.field}_label") in rows[0]
    for row in rows:
        record = records_by_id[row["id"]]
        assert split(row["topics"]) == record["topics"]
        assert split(row["topics_labels"]) == record["labels"]["topics"]
        assert split(row["link_urls"]) == [link["url"] for link in record["links"]]
        assert row["country"] == record["country"] and row["country_label"] == record["labels"]["country"]


def test_a_separator_inside_a_value_survives_the_list_columns():
    values = ["a|b", "back\\slash", "", "plain"]
    assert split(joined(values)) == values
    assert split("") == []


def test_the_geojson_dump_has_a_point_per_case_with_coordinates_and_no_long_texts(export_dir):
    dumps.export_cases()
    geojson = json.loads((export_dir / "cases.geojson").read_text(encoding="utf-8"))
    mapped = {item["id"]: item for item in json_dump(export_dir)["cases"] if item["coordinates"]}
    assert geojson["type"] == "FeatureCollection"
    assert {feature["id"] for feature in geojson["features"]} == set(mapped)
    for feature in geojson["features"]:
        record = mapped[feature["id"]]
        assert feature["geometry"] == {
            "type": "Point",
            "coordinates": [record["coordinates"]["lon"], record["coordinates"]["lat"]],
        }
        assert "body" not in feature["properties"] and feature["properties"]["title"] == record["title"]


def test_drafts_and_unpublished_cases_are_not_exported(export_dir):
    draft = CaseStudyPageFactory(publish=False, locale_aliases=False, title="Draft zqxv case", slug="draft-zqxv")
    withdrawn = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code="en")
    withdrawn.unpublish()
    dumps.export_cases()
    text = "".join((export_dir / name).read_text(encoding="utf-8") for name in dumps.FORMATS_BY_NAME)
    assert "zqxv" not in text
    assert str(withdrawn.pk) not in {str(item["page_id"]) for item in json_dump(export_dir)["cases"]}
    assert not draft.live


def test_export_queries_stay_constant_per_chunk_whatever_the_number_of_cases(export_dir):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            count = sum(1 for _record in records.case_records(chunk_size=1000))
        return count, len(captured)

    list(records.case_records())  # labels are cached per language: read them once first
    before_count, before = queries()
    for number in range(5):
        CaseStudyPageFactory(title=f"Extra case {number}", slug=f"extra-case-{number}", locale_aliases=False)
    after_count, after = queries()
    assert after_count == before_count + 5
    assert after == before


def test_an_export_that_fails_leaves_the_previous_dumps_whole(export_dir, monkeypatch):
    dumps.export_cases()
    previous = {name: (export_dir / name).read_bytes() for name in dumps.FORMATS_BY_NAME}

    def broken(page):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dumps, "case_record", broken)
    with pytest.raises(RuntimeError):
        dumps.export_cases()
    assert {name: (export_dir / name).read_bytes() for name in dumps.FORMATS_BY_NAME} == previous
    assert sorted(path.name for path in export_dir.iterdir() if path.name.endswith(".tmp")) == []


# --- Refreshing ----------------------------------------------------------------------------------------


def test_publishing_a_case_refreshes_the_dumps_once_per_transaction(export_dir, monkeypatch,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    dumps.export_cases()
    exports = []
    real_export = dumps.export_cases
    monkeypatch.setattr(dumps, "export_cases", lambda: exports.append(1) or real_export())
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPageFactory(title="Fresh qwzx case", slug="fresh-qwzx", locale_aliases=False)
        CaseStudyPageFactory(title="Second qwzx case", slug="second-qwzx", locale_aliases=False)
    assert len(exports) == 1
    titles = [item["title"] for item in json_dump(export_dir)["cases"]]
    assert "Fresh qwzx case" in titles and "Second qwzx case" in titles
    assert not dumps.is_stale()


def test_unpublishing_a_case_refreshes_the_dumps(export_dir, django_capture_on_commit_callbacks):
    page = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code="en")
    dumps.export_cases()
    assert page.pk in [item["page_id"] for item in json_dump(export_dir)["cases"]]
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert page.pk not in [item["page_id"] for item in json_dump(export_dir)["cases"]]


def test_an_erasure_marks_the_dumps_stale(export_dir):
    """The dumps hold the pages' attribution, which an erasure rewrites: the next refresh exports."""
    page = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code="en")
    CaseStudyContact.objects.create(page=page, name="Mari Tamm", email="erase-me@example.org", sort_order=9)
    dumps.export_cases()
    assert not dumps.is_stale()
    erase("erase-me@example.org")
    assert dumps.is_stale()


def test_export_cases_if_stale_does_nothing_when_the_dumps_are_current(export_dir):
    out = io.StringIO()
    call_command("export_cases", "--if-stale", stdout=out)
    assert "case records" in out.getvalue()  # none yet: it exports
    out = io.StringIO()
    call_command("export_cases", "--if-stale", stdout=out)
    assert "nothing to do" in out.getvalue()
    dumps.request_refresh()
    out = io.StringIO()
    call_command("export_cases", "--if-stale", stdout=out)
    assert "case records" in out.getvalue()


# --- Serving ---------------------------------------------------------------------------------------------


def test_before_the_first_export_the_dumps_answer_503_in_the_error_shape(client, export_dir):
    for name in dumps.FORMATS_BY_NAME:
        response = client.get(f"/api/v1/export/{name}")
        assert response.status_code == 503
        [error] = response.json()["errors"]
        assert error["code"] == "not_exported" and "export_cases" in error["message"]


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("cases.json", "application/json"), ("cases.csv", "text/csv"), ("cases.geojson", "application/geo+json")],
)
def test_dumps_are_served_as_files_with_validators(client, export_dir, name, media_type):
    dumps.export_cases()
    response, body = exported(client, name)
    assert response["Content-Type"].split(";")[0] == media_type
    assert body.encode() == (export_dir / name).read_bytes()
    assert response["ETag"] and response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    again = client.get(f"/api/v1/export/{name}", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    since = client.get(f"/api/v1/export/{name}", headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304


def test_the_codebook_lists_every_column_and_every_code_with_labels_in_every_locale(client):
    response = client.get("/api/v1/export/codebook.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    described = [row["column"] for row in rows if not row["code"]]
    assert described == [column.name for column in csv_columns()]
    assert all(row["description"] for row in rows if not row["code"])
    topics = {row["code"]: row for row in rows if row["column"] == "topics" and row["code"]}
    for term in Topic.objects.filter(locale__language_code="ru"):
        assert topics[term.code]["label_ru"] == term.label
        assert topics[term.code]["label_en"] == Topic.objects.get(code=term.code, locale__language_code="en").label
    statuses = {row["code"] for row in rows if row["column"] == "initiative_status" and row["code"]}
    assert statuses == {"planned", "ongoing", "completed"}


def test_the_record_schema_is_a_json_schema_naming_every_field(client, export_dir):
    response = client.get("/api/v1/export/cases.schema.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["$id"].endswith("/api/v1/export/cases.schema.json")
    dumps.export_cases()
    record = json_dump(export_dir)["cases"][0]
    assert set(schema["properties"]) == set(record)
    assert set(schema["required"]) == set(record)


def test_the_catalogue_record_describes_each_distribution_for_data_portals(client, export_dir, settings):
    dumps.export_cases()
    response = client.get("/api/v1/export/catalog.jsonld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    [data_set] = catalogue["dcat:dataset"]
    assert data_set["@type"] == "dcat:Dataset"
    assert data_set["dct:publisher"]["foaf:name"] == settings.OPEN_DATA_PUBLISHER
    assert [item["@id"].rsplit("/", 1)[1] for item in data_set["dct:language"]] == ["ENG", "RUS"]
    assert data_set["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data_set["dct:modified"]["@value"]
    media = {item["dcat:downloadURL"]["@id"].rsplit("/", 1)[1]: item for item in data_set["dcat:distribution"]}
    assert set(media) == {"cases.json", "cases.csv", "cases.geojson"}
    for name, item in media.items():
        assert item["dcat:mediaType"]["@id"].endswith(dumps.FORMATS_BY_NAME[name].media_type)
        assert item["dcat:accessURL"]["@id"].startswith("http://testserver/api/v1/export/")
        assert int(item["dcat:byteSize"]["@value"]) == (export_dir / name).stat().st_size
        assert client.get(item["dcat:downloadURL"]["@id"]).status_code == 200


def test_the_openapi_document_lists_the_open_data_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for name in ("cases.json", "cases.csv", "cases.geojson", "cases.schema.json", "codebook.csv", "catalog.jsonld"):
        assert f"/api/v1/export/{name}" in paths
    csv_answer = paths["/api/v1/export/cases.csv"]["get"]["responses"]
    assert "text/csv" in csv_answer["200"]["content"] and "503" in csv_answer


# --- Feed and data page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_atom_feed_lists_the_locale_s_published_cases_newest_first(client, language):
    draft = CaseStudyPageFactory(publish=False, locale_aliases=False, title="Draft feedzq case", slug="draft-feedzq")
    response = client.get(f"/{language}/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    madrid = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code=language)
    assert f"<title>{madrid.title}</title>" in body
    assert madrid.get_full_url() in body or f"http://testserver{madrid.url}" in body
    assert draft.title not in body
    other = "ru" if language == "en" else "en"
    assert CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code=other).title not in body


def test_reader_pages_link_the_feed_and_the_data_page(client):
    body = client.get("/ru/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/ru/feed/"' in body
    assert 'href="/ru/data/"' in body


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_data_page_links_downloads_licence_codebook_feed_and_api(client, export_dir, language):
    dumps.export_cases()
    response = client.get(f"/{language}/data/")
    assert response.status_code == 200
    body = response.content.decode()
    for url in ("/api/v1/export/cases.json", "/api/v1/export/cases.csv", "/api/v1/export/cases.geojson",
                "/api/v1/export/codebook.csv", "/api/v1/export/cases.schema.json",
                "/api/v1/export/catalog.jsonld", f"/{language}/feed/", "/api/v1/docs",
                "https://creativecommons.org/licenses/by/4.0/"):  # fmt: skip
        assert f'href="{url}"' in body, url


# --- The round trip: export, import into a manual without cases, the same cases ---------------------------

# What the import carries of a case (the import format's fields); ids, URLs and dates are the new pages'.
CARRIED = ("locale", "title", "summary", "organisation", "city", "region", "country", "coordinates", "population",
           *(kind.field for kind in taxonomy_kinds()), "start_year", "end_year", "initiative_status", "body",
           "links", "metrics", "licence", "labels")  # fmt: skip


def case_content(document: dict) -> dict[tuple[str, str], dict]:
    """Each record's carried fields, by the case's source title and the locale."""
    by_key: dict[str, dict[str, dict]] = {}
    for item in document["cases"]:
        by_key.setdefault(item["translation_key"], {})[item["locale"]] = item
    content = {}
    for versions in by_key.values():
        source = versions.get("en") or next(iter(versions.values()))
        for locale, item in versions.items():
            content[source["title"], locale] = {name: item[name] for name in CARRIED}
    return content


def test_the_json_dump_imports_into_a_manual_without_cases_and_gives_the_same_cases(export_dir, tmp_path):
    dumps.export_cases()
    before = json_dump(export_dir)
    path = tmp_path / "cases.json"
    path.write_bytes((export_dir / "cases.json").read_bytes())

    for page in CaseStudyPage.objects.order_by("-depth", "-pk"):  # every case, aliases included
        Page.objects.get(pk=page.pk).delete()
    assert not CaseStudyPage.objects.exists()

    out = io.StringIO()
    call_command("import_cases", str(path), "--publish", stdout=out, stderr=io.StringIO())
    count = before["count"]
    assert f"{count} items: {count} created, 0 updated, 0 unchanged, 0 conflict, 0 failed" in out.getvalue()
    dumps.export_cases()
    after = json_dump(export_dir)
    assert after["count"] == before["count"]
    assert case_content(after) == case_content(before)
