"""``manage.py db_worker``: django-tasks-db's worker, made safe to kill (core.task_leases).

This command replaces the one of ``django_tasks_db`` (``site_config`` comes first in
INSTALLED_APPS, and Django takes a command from the first app that has it), with the same options.
On top of it, the worker holds a lease on the task it runs, and a thread of its own puts back in
the queue the tasks of workers that died (at start, then every ``TASKS_RECOVERY_INTERVAL``
seconds). docs/operations.md "Workers" says how to run them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

from core.task_leases import Leases, leases_for, requeue_abandoned

logger = logging.getLogger("django_tasks_db")


class Worker(upstream.Worker):
    """The upstream worker, holding a lease on the task it runs and recovering the abandoned ones."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.leases: Leases = leases_for()
        self._stop_recovery = threading.Event()

    def run(self) -> None:
        recovery = threading.Thread(target=self._recover, name="task-recovery", daemon=True)
        recovery.start()
        try:
            super().run()
        finally:
            self._stop_recovery.set()
            recovery.join(timeout=settings.TASKS_RECOVERY_INTERVAL + 5)
            self.leases.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with self.leases.hold(db_task_result.pk):
            super().run_task(db_task_result)

    def _recover(self) -> None:
        # Its own leases: a lease this worker holds must look taken to its own recovery too (a
        # PostgreSQL session lock is re-entrant within the session that holds it).
        leases = leases_for()
        try:
            while not self._stop_recovery.is_set():
                try:
                    close_old_connections()
                    requeue_abandoned(leases, self.backend_name)
                except Exception:
                    # The database is away for a moment: the next round tries again.
                    logger.exception("recovery of abandoned tasks failed")
                self._stop_recovery.wait(settings.TASKS_RECOVERY_INTERVAL)
        finally:
            leases.close()
            connections.close_all()


class Command(upstream.Command):
    help = "Run a database background worker; tasks of a worker that dies are run again"

    def handle(self, *args: Any, **options: Any) -> None:
        # The upstream command builds ``upstream.Worker`` by its module name; it is handed ours for the
        # duration of the command (one command per process).
        upstream.Worker = Worker  # type: ignore[misc]
        super().handle(*args, **options)
