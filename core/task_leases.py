"""Task leases: a task whose worker died is run again, a task whose worker lives never is.

django-tasks-db marks a task ``RUNNING`` when a worker claims it and leaves it so forever if that
worker is killed (OOM killer, a redeploy's SIGKILL, a machine lost): the task is lost. A worker
therefore holds a *lease* on each task while it runs it, a lock that the operating system or the
database drops by itself the moment the worker's process or connection dies:

- PostgreSQL: a session-level advisory lock on a connection of its own (any machine; the lock goes
  when PostgreSQL sees the connection close, at once for a killed process);
- SQLite (one machine by nature): an exclusive ``flock`` on a file under ``VAR_DIR/task-leases``.

``requeue_abandoned`` (run by every worker at start and then every ``TASKS_RECOVERY_INTERVAL``
seconds) puts a ``RUNNING`` task back in the queue when nobody holds its lease; a task claimed less
than ``TASKS_LEASE_GRACE_SECONDS`` ago is left alone, since its worker takes the lease only just
after the claim commits. A task that lost its worker ``TASKS_MAX_ATTEMPTS`` times fails instead
(a file that kills every worker that converts it must not kill them all in turn).

A lost worker's task runs again, so tasks are written to be idempotent: the conversion checks the
submission's status under its row lock and commits the page and the new status together
(``submissions.services.convert``); a second run of a finished conversion changes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded on a task that lost its worker too many times (``TASKS_MAX_ATTEMPTS``)."""


class Leases(Protocol):
    """Locks on task ids that vanish with the process (or connection) that holds them."""

    def hold(self, task_id: uuid.UUID) -> contextlib.AbstractContextManager[None]:
        """Hold the lease of ``task_id`` for the duration of the ``with`` block."""

    def is_free(self, task_id: uuid.UUID) -> contextlib.AbstractContextManager[bool]:
        """Whether nobody holds the lease; while the block runs, nobody else can take it."""

    def close(self) -> None:
        """Release what the leases keep open (a connection)."""


def _key(task_id: uuid.UUID) -> int:
    """A signed 64-bit advisory-lock key; a collision only delays a recovery, never doubles a run."""
    return int.from_bytes(task_id.bytes[:8], "big", signed=True)


class PostgresLeases:
    """Advisory locks on a connection of the lease holder's own (the task's transactions commit and
    roll back on the usual one; a session lock is untouched by them)."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections.create_connection(alias)

    def _scalar(self, sql: str, key: int) -> Any:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [key])
            return cursor.fetchone()[0]

    @contextlib.contextmanager
    def hold(self, task_id: uuid.UUID) -> Iterator[None]:
        key = _key(task_id)
        self._scalar("SELECT pg_advisory_lock(%s)", key)
        try:
            yield
        finally:
            self._scalar("SELECT pg_advisory_unlock(%s)", key)

    @contextlib.contextmanager
    def is_free(self, task_id: uuid.UUID) -> Iterator[bool]:
        key = _key(task_id)
        free = bool(self._scalar("SELECT pg_try_advisory_lock(%s)", key))
        try:
            yield free
        finally:
            if free:
                self._scalar("SELECT pg_advisory_unlock(%s)", key)

    def close(self) -> None:
        self.connection.close()


class FileLeases:
    """``flock`` on one file per running task; the kernel releases it when the process dies."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, task_id: uuid.UUID) -> Path:
        return self.directory / f"{task_id}.lock"

    @contextlib.contextmanager
    def hold(self, task_id: uuid.UUID) -> Iterator[None]:
        with open(self._path(task_id), "a") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                # Unlinked while locked: whoever opens the name next locks a new file, and finds the
                # task no longer running.
                with contextlib.suppress(FileNotFoundError):
                    self._path(task_id).unlink()

    @contextlib.contextmanager
    def is_free(self, task_id: uuid.UUID) -> Iterator[bool]:
        path = self._path(task_id)
        with open(path, "a") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def close(self) -> None:
        return None


def leases_for(alias: str = DEFAULT_DB_ALIAS) -> Leases:
    """The lease kind that suits the task database."""
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return PostgresLeases(alias)
    if vendor == "sqlite":
        return FileLeases(Path(settings.VAR_DIR) / "task-leases")
    raise ImproperlyConfigured(f"task leases need PostgreSQL or SQLite, not {vendor}")


def requeue_abandoned(leases: Leases, backend_name: str) -> tuple[int, int]:
    """Put back the running tasks whose worker is gone; returns (requeued, failed for good)."""
    claimed_before = timezone.now() - timedelta(seconds=settings.TASKS_LEASE_GRACE_SECONDS)
    candidates = list(
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name, started_at__lt=claimed_before)
        .values_list("pk", flat=True)
    )
    requeued = failed = 0
    for task_id in candidates:
        with leases.is_free(task_id) as free:
            if not free:
                continue
            with transaction.atomic():
                task_result = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
                # Still running and nobody's: its worker died (it finished in between otherwise).
                if task_result is None or task_result.status != TaskResultStatus.RUNNING:
                    continue
                if len(task_result.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                    task_result.set_failed(WorkerLost(f"{len(task_result.worker_ids)} workers died running this task"))
                    failed += 1
                    about = {"task": str(task_id), "path": task_result.task_path, "workers": task_result.worker_ids}
                    logger.error("task failed: its workers died", extra=about)
                    continue
                task_result.status = TaskResultStatus.READY
                task_result.save(update_fields=["status"])
                requeued += 1
                about = {"task": str(task_id), "task_path": task_result.task_path, "workers": task_result.worker_ids}
                logger.warning("task requeued: its worker died", extra=about)
    return requeued, failed
