"""``manage.py import_cases``: editors' trusted import, one report line per item, re-import by external_id."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from manual.models import CaseStudyIndexPage, CaseStudyPage
from search.models import SearchDocument
from submissions.models import ImportedCase, Submission, SubmissionStatus
from submissions.schemas import SubmissionIn
from submissions.services.imports import import_format_schema_text
from tests.support.samples import make_image
from tests.support.submissions import valid_payload

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "import-sample.json"


def case(number: int, **overrides) -> dict:
    defaults = {"title": f"Imported case {number}", "summary": f"Summary of imported case number {number}."}
    item = valid_payload(**{**defaults, **overrides})
    item["external_id"] = f"case-{number}"
    return item


def write(folder: Path, items: list, name: str = "cases.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[list[str], int]:
    """The report lines and the exit status the command would give."""
    out = io.StringIO()
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=io.StringIO())
        status = 0
    except CommandError as exc:
        status = exc.returncode
    lines = out.getvalue().splitlines()
    return lines[:-1], status  # the last line is the summary


def outcomes(lines: list[str]) -> list[str]:
    return [line.split(": ")[1].split(" (")[0] for line in lines]


def test_two_hundred_cases_are_imported_with_a_line_each_and_a_rerun_changes_nothing(tmp_path):
    path = write(tmp_path, [case(n) for n in range(200)])
    pages_before = CaseStudyPage.objects.filter(alias_of__isnull=True).count()

    lines, status = run(path)
    assert status == 0
    assert len(lines) == 200 and set(outcomes(lines)) == {"created"}
    assert lines[0].startswith("#0 case-0: created (page ")
    assert CaseStudyPage.objects.filter(alias_of__isnull=True).count() == pages_before + 200
    assert ImportedCase.objects.count() == 200
    page = ImportedCase.objects.get(external_id="case-7").page
    assert page.title == "Imported case 7" and not page.live and page.locale.language_code == "en"
    assert page.get_parent().specific_class is CaseStudyIndexPage
    assert not page.workflow_in_progress, "a trusted import does not enter the review workflow"
    submission = Submission.objects.get(page=page)
    assert submission.status == SubmissionStatus.CONVERTED
    assert [e.note for e in submission.events.all()][0] == "Received (import)."

    submissions = Submission.objects.count()
    lines, status = run(path)
    assert status == 0
    assert len(lines) == 200 and set(outcomes(lines)) == {"unchanged"}
    assert CaseStudyPage.objects.filter(alias_of__isnull=True).count() == pages_before + 200
    assert Submission.objects.count() == submissions, "an unchanged item stores nothing"


def test_a_changed_item_updates_its_page(tmp_path):
    run(write(tmp_path, [case(1)]))
    record = ImportedCase.objects.get()
    lines, status = run(write(tmp_path, [case(1, summary="A better summary of the first case.")]))
    assert (status, outcomes(lines)) == (0, ["updated"])
    record.refresh_from_db()
    page = record.page
    assert page.get_latest_revision_as_object().summary == "A better summary of the first case."
    assert record.revision_id == page.latest_revision_id
    assert CaseStudyPage.objects.filter(title="Imported case 1", alias_of__isnull=True).count() == 1


def test_an_editors_change_since_the_last_import_is_a_conflict_and_is_left_alone(tmp_path, editor):
    path = write(tmp_path, [case(1), case(2)])
    run(path)
    page = ImportedCase.objects.get(external_id="case-1").page
    page.summary = "Edited by an editor."
    edited = page.save_revision(user=editor)

    lines, status = run(write(tmp_path, [case(1, summary="Imported again."), case(2, summary="Imported again.")]))
    assert status == 0
    assert outcomes(lines) == ["conflict", "updated"]
    assert "changed by an editor" in lines[0]
    page.refresh_from_db()
    assert page.latest_revision_id == edited.pk
    assert page.get_latest_revision_as_object().summary == "Edited by an editor."
    # The same file again: still a conflict, never a silent overwrite.
    assert outcomes(run(path)[0]) == ["conflict", "unchanged"]


def test_an_invalid_item_fails_alone_with_its_field_and_the_exit_status_is_not_zero(tmp_path):
    bad = case(2)
    bad["links"] = [{"title": "Evil", "url": "javascript:alert(1)"}]
    submissions = Submission.objects.count()
    lines, status = run(write(tmp_path, [case(1), bad, case(3), "not an object"]))

    assert status == 1
    assert outcomes(lines) == ["created", "failed", "created", "failed"]
    assert lines[1].startswith("#1 case-2: failed: links.0.url: ")
    assert lines[3] == "#3: failed: item: each case must be a JSON object"
    assert Submission.objects.count() == submissions + 2, "nothing of the failed item is stored"
    assert not ImportedCase.objects.filter(external_id="case-2").exists()


def test_publish_makes_the_cases_live_and_searchable(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lines, status = run(write(tmp_path, [case(1), case(2)]), "--publish")
    assert (status, outcomes(lines)) == (0, ["created", "created"])
    for record in ImportedCase.objects.all():
        page = record.page
        assert page.live and not page.has_unpublished_changes
        assert page.live_revision_id == record.revision_id
        assert SearchDocument.objects.filter(page_id=page.pk).exists()
        assert Submission.objects.get(page=page).status == SubmissionStatus.PUBLISHED


def test_drafts_imported_before_are_published_by_a_run_with_publish(tmp_path):
    path = write(tmp_path, [case(1)])
    run(path)
    lines, status = run(path, "--publish")
    assert (status, outcomes(lines)) == (0, ["updated"])
    assert ImportedCase.objects.get().page.live


def test_translation_of_links_a_translation_in_the_target_locale(tmp_path, ru):
    source = case(1)
    translation = case(
        101,
        locale="ru",
        title="Бюджет районов Тарту",
        summary="Жители Тарту предлагают небольшие проекты и голосуют за них.",
    )
    translation["translation_of"] = "case-1"
    lines, status = run(write(tmp_path, [source, translation]), "--publish")
    assert (status, outcomes(lines)) == (0, ["created", "created"])

    en_page = ImportedCase.objects.get(external_id="case-1").page
    ru_page = ImportedCase.objects.get(external_id="case-101").page
    assert ru_page.translation_key == en_page.translation_key
    assert ru_page.locale == ru and ru_page.alias_of_id is None
    assert ru_page.get_parent().locale == ru
    assert ru_page.title == "Бюджет районов Тарту" and ru_page.live
    assert CaseStudyPage.objects.filter(translation_key=en_page.translation_key, locale=ru).count() == 1


def test_translation_of_an_unknown_case_fails(tmp_path):
    item = case(5, locale="ru")
    item["translation_of"] = "nope"
    lines, status = run(write(tmp_path, [item]))
    assert status == 1
    assert lines[0].startswith("#0 case-5: failed: translation_of: ")


def test_attachments_are_read_relative_to_the_file_and_may_not_escape_its_folder(tmp_path):
    folder = tmp_path / "batch"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "hero.png").write_bytes(make_image())
    (tmp_path / "outside.png").write_bytes(make_image())
    good = case(1, hero_attachment=0)
    good["attachments"] = ["img/hero.png"]
    escaping = case(2)
    escaping["attachments"] = ["../outside.png"]
    absolute = case(3)
    absolute["attachments"] = [str(tmp_path / "outside.png")]

    lines, status = run(write(folder, [good, escaping, absolute]))
    assert status == 1
    assert outcomes(lines) == ["created", "failed", "failed"]
    assert "attachments.0: the path leads out of the import file's folder" in lines[1]
    assert "attachments.0: absolute paths are refused" in lines[2]
    page = ImportedCase.objects.get(external_id="case-1").page
    assert page.get_latest_revision_as_object().hero_image is not None


def test_a_file_that_is_not_a_list_is_refused(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text('{"title": "x"}')
    with pytest.raises(CommandError, match="JSON list"):
        call_command("import_cases", str(path), stdout=io.StringIO())


def test_the_documented_sample_imports(tmp_path, ru):
    lines, status = run(SAMPLE)
    assert status == 0, lines
    assert set(outcomes(lines)) == {"created"}
    assert Locale.objects.filter(pk=ru.pk).exists()


def test_the_json_schema_lists_the_fields_the_import_accepts():
    schema = json.loads((SAMPLE.parent / "import-format.schema.json").read_text(encoding="utf-8"))
    case_schema = schema["$defs"]["Case"]
    assert set(case_schema["properties"]) == set(SubmissionIn.model_fields) | {
        "external_id",
        "translation_of",
        "attachments",
    }
    assert case_schema["additionalProperties"] is False
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert all(set(item) <= set(case_schema["properties"]) for item in sample)
    assert set(case_schema["required"]) <= set().union(*(set(item) for item in sample))


def test_the_committed_json_schema_is_the_generated_one():
    # Generated from SubmissionIn (one field per taxonomy kind): a new kind regenerates it with
    # `manage.py import_format_schema` (docs/architecture.md "Adding a taxonomy kind").
    committed = (SAMPLE.parent / "import-format.schema.json").read_text(encoding="utf-8")
    assert committed == import_format_schema_text()
    call_command("import_format_schema", "--check", stdout=io.StringIO())


def test_the_schema_command_writes_the_file_when_it_is_not_current(tmp_path, monkeypatch):
    target = tmp_path / "import-format.schema.json"
    target.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr("submissions.management.commands.import_format_schema.IMPORT_FORMAT_SCHEMA", target)
    with pytest.raises(CommandError, match="not current"):
        call_command("import_format_schema", "--check", stdout=io.StringIO())
    call_command("import_format_schema", stdout=io.StringIO())
    assert target.read_text(encoding="utf-8") == import_format_schema_text()


def test_slugs_are_numbered_among_the_pages_of_the_same_parent(tmp_path, ru):
    """A case's slug comes from its title, numbered when a sibling has it (aliases included); a
    translation keeps its source's slug in its own locale's tree."""
    first, second = case(1, title="Open budget"), case(2, title="Open budget")
    translation = case(3, locale="ru", title="Открытый бюджет", summary="Жители предлагают проекты и голосуют.")
    translation["translation_of"] = "case-1"
    russian = case(4, locale="ru", title="Open budget", summary="Жители предлагают другие проекты.")
    lines, status = run(write(tmp_path, [first, second, translation, russian]), "--publish")
    assert (status, outcomes(lines)) == (0, ["created"] * 4)
    slug = {record.external_id: record.page.slug for record in ImportedCase.objects.select_related("page")}
    assert (slug["case-1"], slug["case-2"]) == ("open-budget", "open-budget-2")
    assert slug["case-3"] == "open-budget", "the translation keeps its source's slug"
    alias = CaseStudyPage.objects.get(alias_of=ImportedCase.objects.get(external_id="case-2").page)
    assert alias.slug == "open-budget-2" and alias.locale == ru
    assert slug["case-4"] == "open-budget-3", "after the translation's and the alias's slugs in its parent"
