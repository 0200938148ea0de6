"""The dump files: written by ``manage.py export_cases`` (or the refresh task), served as files.

One pass over the published cases (``records.case_chunks``) writes the three dumps at once, each to
a temporary file in ``OPEN_DATA_DIR`` that replaces the old dump only when complete
(``os.replace``): a reader downloading during an export gets the previous file whole, never half of
the next one. Nothing is held in memory but one chunk of cases.

Refreshing: publishing, unpublishing, moving or deleting a case calls ``request_refresh``, which
marks the dumps stale (the mtime of ``STALE_MARKER``) and, the first time only, queues
``refresh_task`` after the commit, ``OPEN_DATA_REFRESH_DELAY`` seconds later when the task backend
can defer. The task exports only when the dumps are still stale, so a burst of publications
coalesces into one export. ``export_cases --if-stale`` (cron) does the same for anything a lost
task or a label edit left behind (docs/open-data.md).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from core.side_effects import after_commit
from core.task_priorities import TaskPriority
from opendata.services.columns import csv_columns, csv_row
from opendata.services.records import EXPORT_FORMAT, case_chunks, case_record, dataset


@dataclass(frozen=True)
class DumpFormat:
    name: str  # file name, and the last part of its URL (/api/v1/export/<name>)
    media_type: str
    title: str  # in the catalogue


JSON = DumpFormat("cases.json", "application/json", "JSON")
CSV = DumpFormat("cases.csv", "text/csv", "CSV")
GEOJSON = DumpFormat("cases.geojson", "application/geo+json", "GeoJSON")
FORMATS = (JSON, CSV, GEOJSON)
FORMATS_BY_NAME = {item.name: item for item in FORMATS}
STALE_MARKER = ".stale"
# Long texts stay in the JSON and CSV dumps; a map needs the rest.
GEOJSON_LEFT_OUT = ("body", "coordinates")


def export_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def dump_path(item: DumpFormat) -> Path:
    return export_dir() / item.name


@dataclass(frozen=True)
class ExportReport:
    cases: int
    sizes: dict[str, int]  # file name -> bytes
    seconds: float


@contextmanager
def _replacing(path: Path) -> Iterator[IO[str]]:
    """A text file that becomes ``path`` when the block ends without an error (else it disappears)."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed or removed
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # served to anyone; NamedTemporaryFile makes it private
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _head(generated_at: datetime) -> dict[str, Any]:
    about = dataset()
    return {
        "format": EXPORT_FORMAT,
        "title": about.title,
        "publisher": about.publisher,
        "licence": about.licence,
        "licence_url": about.licence_url,
        "generated_at": generated_at.isoformat(),
        "schema": "/api/v1/export/cases.schema.json",
    }


def feature(record: dict[str, Any]) -> dict[str, Any]:
    coordinates = record["coordinates"]
    return {
        "type": "Feature",
        "id": record["id"],
        "geometry": {"type": "Point", "coordinates": [coordinates["lon"], coordinates["lat"]]},
        "properties": {key: value for key, value in record.items() if key not in GEOJSON_LEFT_OUT},
    }


def export_cases(chunk_size: int | None = None) -> ExportReport:
    """Write the three dumps from the published cases (see the module's docstring)."""
    started = time.monotonic()
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stale_since = _stale_since()
    generated_at = timezone.now()
    head = _dumps(_head(generated_at))[:-1]  # the object left open: "cases" follows
    columns = csv_columns()
    count = 0
    with ExitStack() as files:
        as_json = files.enter_context(_replacing(dump_path(JSON)))
        as_csv = files.enter_context(_replacing(dump_path(CSV)))
        as_geojson = files.enter_context(_replacing(dump_path(GEOJSON)))
        rows = csv.writer(as_csv)
        rows.writerow([column.name for column in columns])
        as_json.write(head + ',"cases":[')
        as_geojson.write('{"type":"FeatureCollection","features":[')
        mapped = 0
        for chunk in case_chunks(*([chunk_size] if chunk_size else [])):
            for page in chunk:
                record = case_record(page)
                as_json.write(("," if count else "") + "\n" + _dumps(record))
                rows.writerow(csv_row(columns, record))
                if record["coordinates"]:
                    as_geojson.write(("," if mapped else "") + "\n" + _dumps(feature(record)))
                    mapped += 1
                count += 1
        as_json.write(f'\n],"count":{count}}}\n')
        as_geojson.write("\n]}\n")
    _mark_fresh(stale_since)
    sizes = {item.name: dump_path(item).stat().st_size for item in FORMATS}
    return ExportReport(count, sizes, time.monotonic() - started)


# --- Which dump exists, and is it current --------------------------------------------------------


@dataclass(frozen=True)
class DumpFile:
    format: DumpFormat
    path: Path
    size: int
    modified: datetime


def dump_file(name: str) -> DumpFile | None:
    """The dump called ``name`` as it is now, None when it was never exported."""
    item = FORMATS_BY_NAME[name]
    path = dump_path(item)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return DumpFile(item, path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC))


def _marker() -> Path:
    return export_dir() / STALE_MARKER


def _stale_since() -> float | None:
    try:
        return _marker().stat().st_mtime
    except FileNotFoundError:
        return None


def _mark_fresh(stale_since: float | None) -> None:
    # A publication during the export marked the dumps stale again: that mark stays.
    if stale_since is not None and _stale_since() == stale_since:
        _marker().unlink(missing_ok=True)


def is_stale() -> bool:
    """Whether a case changed since the last export, or there is none."""
    return _marker().exists() or any(dump_file(item.name) is None for item in FORMATS)


def request_refresh() -> None:
    """A case was published, unpublished, moved or deleted: the dumps are out of date.

    One refresh per transaction however many cases it publishes (Django forgets the callbacks of a
    transaction that rolls back, so a rolled-back publication queues nothing)."""
    export_dir().mkdir(parents=True, exist_ok=True)
    _marker().touch()
    # One per import too (core.side_effects.batch).
    after_commit("opendata.refresh", enqueue_refresh, once_per_transaction=True)


def enqueue_refresh() -> None:
    delay = settings.OPEN_DATA_REFRESH_DELAY
    if delay and default_task_backend.supports_defer:
        refresh_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    else:
        refresh_task.enqueue()


def refresh() -> ExportReport | None:
    """Export when the dumps are stale; None when they are current (coalesced into an earlier one)."""
    return export_cases() if is_stale() else None


@task(priority=TaskPriority.REBUILD)
def refresh_task() -> int:
    """``refresh`` in the background: the number of cases exported, -1 when nothing was to do."""
    report = refresh()
    return -1 if report is None else report.cases
