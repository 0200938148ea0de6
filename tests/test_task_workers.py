"""A worker killed mid-task loses nothing and runs nothing twice (core.task_leases, db_worker).

The journey of issue "Many machines" point 3: a submission's conversion is running in a
``manage.py db_worker`` when the worker is killed with SIGKILL; two other workers then pick up the
abandoned task. The submission must end converted exactly once: one draft, one conversion in its
history, each image made once. The workers are real processes on a database of their own: SQLite
(one machine, file leases) and, when the test run has PostgreSQL, PostgreSQL (advisory locks).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.task_leases import FileLeases, PostgresLeases, leases_for, requeue_abandoned

ROOT = Path(__file__).resolve().parent.parent
CONVERT_TASK = "submissions.services.convert.convert_submission_task"

# Submits a case with eight large photographs (their re-encoding keeps the conversion busy for
# seconds, long enough to kill it in the middle) with the database task queue: nothing runs yet.
SETUP = """
import io, json, os
from PIL import Image
from core.ratelimit import RateDecision
from manual.services.demo import load_demo_manual
from submissions.services.intake import SubmissionRequest, submit
from submissions.services.validate import UploadedPart
from tests.support.submissions import valid_payload

load_demo_manual()
def photo(seed):
    image = Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
photos = [photo(i) for i in range(8)]
parts = [UploadedPart(content, f"photo{i}.jpg", size=len(content)) for i, content in enumerate(photos)]
payload = valid_payload(hero_attachment=0)
raw = json.dumps(payload).encode()
result = submit(SubmissionRequest(payload, raw, "worker-test", attachments=parts), RateDecision(True))
print(json.dumps({"submission": str(result.submission.pk)}))
"""

# What became of the submission, read after the workers stopped.
REPORT = """
import json, os
from django_tasks_db.models import DBTaskResult
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry
from manual.models import CaseStudyPage
from submissions.models import Submission
submission = Submission.objects.get(pk=os.environ["REPORT_SUBMISSION"])
tasks = DBTaskResult.objects.filter(task_path=os.environ["REPORT_TASK"])
print(json.dumps({
    "status": submission.status,
    "page": submission.page_id,
    "drafts": CaseStudyPage.objects.filter(title=submission.title, alias_of=None).count(),
    "conversions": PageLogEntry.objects.filter(action="submissions.convert").count(),
    "attachments": list(submission.attachments.values_list("cleaned", flat=True)),
    "images": get_image_model().objects.count(),
    "tasks": [{"status": t.status, "workers": t.worker_ids} for t in tasks],
}))
"""


class WorkerDatabase:
    """A database of the workers' own, with the SQL to peek at the task queue while they run."""

    def __init__(self, url: str, peek: Callable[[str], list[tuple]], drop: Callable[[], None]) -> None:
        self.url, self.peek, self.drop = url, peek, drop

    def convert_status(self) -> str | None:
        sql = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.convert_submission_task'"
        rows = self.peek(sql)
        return rows[0][0] if rows else None


@contextlib.contextmanager
def sqlite_database(tmp_path: Path) -> Iterator[WorkerDatabase]:
    # The embedded default's own file (VAR_DIR/manual.sqlite3): WAL and immediate transactions, as
    # several workers need (site_config.env.database_config).
    path = tmp_path / "var" / "manual.sqlite3"

    def peek(sql: str) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            return db.execute(sql).fetchall()

    yield WorkerDatabase("", peek, lambda: None)


@contextlib.contextmanager
def postgres_database() -> Iterator[WorkerDatabase]:
    config = connection.settings_dict
    server = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
    }
    name = f"workers_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def peek(sql: str) -> list[tuple]:
        with psycopg.connect(dbname=name, autocommit=True, **server) as db:
            return db.execute(sql).fetchall()

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    password = f":{server['password']}" if server["password"] else ""
    yield WorkerDatabase(f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}", peek, drop)


@pytest.fixture(params=["sqlite", "postgresql"])
def worker_database(request, tmp_path, db):
    if request.param == "postgresql" and connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but the test run has no PostgreSQL for the worker test")
        pytest.skip("the test run has no PostgreSQL (make test provides one)")
    opened = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    with opened as database:
        try:
            yield database
        finally:
            database.drop()


def _environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    (tmp_path / "var").mkdir(exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        DATABASE_URL=database_url,
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="worker-test-" + "Zp4qLx8mVr2nKw7t" * 3,
        SECURE_HTTPS="0",
        DEBUG="0",
        SEARCH_URL="",
        TASKS_BACKEND="database",
        TASKS_RECOVERY_INTERVAL="1",
        TASKS_LEASE_GRACE_SECONDS="1",
        SUBMISSIONS_RATE_LIMIT="0",
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def _worker(env: dict[str, str], worker_id: str, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--worker-id", worker_id, "--interval", "0.2", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # killed with its image sandboxes, as the OOM killer or a host loss would
        )


def _wait(condition: Callable[[], bool], seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} within {seconds} s; worker logs:\n" + "\n".join(log.read_text()[-2000:] for log in logs))


def test_a_worker_killed_mid_conversion_leaves_the_submission_converted_exactly_once(worker_database, tmp_path):
    env = _environment(tmp_path, worker_database.url)
    _manage(env, "migrate", "--noinput")
    submission = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])["submission"]
    assert worker_database.convert_status() == TaskResultStatus.READY

    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2, 3)]
    first = _worker(env, "worker-killed", logs[0])
    try:
        running = lambda: worker_database.convert_status() == TaskResultStatus.RUNNING  # noqa: E731
        _wait(running, 120, "no worker took the task", logs)
        time.sleep(0.5)  # into the re-encoding of the photographs
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    report = {"REPORT_TASK": CONVERT_TASK, "REPORT_SUBMISSION": submission}
    middle = json.loads(_manage({**env, **report}, "shell", "-c", REPORT).strip().splitlines()[-1])
    assert middle["status"] == "received", "the worker was killed after the conversion, not during it"
    assert middle["tasks"] == [{"status": "RUNNING", "workers": ["worker-killed"]}]

    survivors = [_worker(env, f"worker-{n}", logs[n - 1]) for n in (2, 3)]
    try:
        _wait(lambda: worker_database.convert_status() == TaskResultStatus.SUCCESSFUL, 240, "not converted", logs)
        time.sleep(3)  # three more recovery rounds: nothing may run it again
    finally:
        for worker in survivors:
            worker.send_signal(signal.SIGTERM)
        for worker in survivors:
            worker.wait(timeout=60)

    after = json.loads(_manage({**env, **report}, "shell", "-c", REPORT).strip().splitlines()[-1])
    assert after["status"] == "in_review" and after["page"] is not None
    assert after["drafts"] == 1
    assert after["conversions"] == 1
    assert after["attachments"] == [True] * 8
    assert after["images"] - middle["images"] == 8, "each photograph made into one image"
    [task] = after["tasks"]
    assert task["status"] == "SUCCESSFUL"
    assert task["workers"][0] == "worker-killed" and len(task["workers"]) == 2, task["workers"]
    assert "task requeued: its worker died" in "".join(log.read_text() for log in logs[1:])


def _running(worker_ids: list[str], claimed_seconds_ago: float = 120) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path=CONVERT_TASK,
        args_kwargs={"args": [str(uuid.uuid4())], "kwargs": {}},
        backend_name="default",
        started_at=timezone.now() - timedelta(seconds=claimed_seconds_ago),
        worker_ids=worker_ids,
    )


@pytest.fixture
def leases(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.TASKS_LEASE_GRACE_SECONDS = 30
    settings.TASKS_MAX_ATTEMPTS = 3
    made = leases_for()
    yield made
    made.close()


def test_recovery_requeues_only_tasks_nobody_holds_and_fails_those_that_lost_every_worker(leases):
    abandoned = _running(["a"])
    exhausted = _running(["a", "b", "c"])
    just_claimed = _running(["a"], claimed_seconds_ago=2)
    held = _running(["a"])

    # A live worker elsewhere: its lease is held from another connection (or another open file).
    directory = Path(django_settings.VAR_DIR) / "task-leases"
    holder = PostgresLeases() if connection.vendor == "postgresql" else FileLeases(directory)
    try:
        with holder.hold(held.pk):
            assert requeue_abandoned(leases, "default") == (1, 1)
    finally:
        holder.close()

    def status(task: DBTaskResult) -> str:
        task.refresh_from_db()
        return task.status

    assert status(abandoned) == TaskResultStatus.READY
    assert status(exhausted) == TaskResultStatus.FAILED
    assert exhausted.exception_class_path == "core.task_leases.WorkerLost"
    assert status(just_claimed) == TaskResultStatus.RUNNING, "claimed a moment ago: its worker takes the lease next"
    assert status(held) == TaskResultStatus.RUNNING, "its worker lives"
