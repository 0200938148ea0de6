"""A worker runs what readers wait for before what is rebuilt in bulk (core.task_priorities).

A real ``manage.py db_worker`` on a database of its own finds, in order of arrival, an open-data
export and a sitemap build queued before a publication's search-index update, HTTP-cache purge and
image release, and a submission's e-mail. It must start the publication's tasks first, then the
e-mail, then the rebuilds: otherwise a case published after an export was queued waits for the
whole export before it is searchable.
"""

from __future__ import annotations

import json

import pytest

from core.task_priorities import TaskPriority
from tests.test_task_workers import _environment, _manage, sqlite_database

pytestmark = pytest.mark.django_db

# Queued in the worst order: the rebuilds first.
QUEUE = """
import json, uuid
from django_tasks_db.models import DBTaskResult
from core.frontend_cache import invalidate_task
from manual.services.sitemap import build_task
from opendata.services.dumps import refresh_task
from search.services.indexing import process_outbox_task
from submissions.services.media import release_files_task
from submissions.services.notifications import send_notification_task

refresh_task.enqueue()
build_task.enqueue()
send_notification_task.enqueue("received", str(uuid.uuid4()))
process_outbox_task.enqueue()
invalidate_task.enqueue([], [])
release_files_task.enqueue(str(uuid.uuid4()))
print(json.dumps(list(DBTaskResult.objects.values_list("task_path", flat=True))))
"""

OURS = {
    "refresh_task",
    "build_task",
    "send_notification_task",
    "process_outbox_task",
    "invalidate_task",
    "release_files_task",
}

STARTED = """
import json
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.order_by("started_at").values_list("task_path", "status", "priority")
print(json.dumps([list(row) for row in rows]))
"""


def test_a_worker_starts_the_publications_tasks_before_the_bulk_rebuilds_queued_earlier(tmp_path):
    with sqlite_database(tmp_path) as database:
        env = _environment(tmp_path, database.url)
        _manage(env, "migrate", "--noinput")
        queued = json.loads(_manage(env, "shell", "-c", QUEUE).strip().splitlines()[-1])
        assert len([path for path in queued if path.rsplit(".", 1)[1] in OURS]) == 6, queued
        _manage(env, "db_worker", "--batch", "--no-reload", "--interval", "0.1")
        started = json.loads(_manage(env, "shell", "-c", STARTED).strip().splitlines()[-1])

    # (Migrating queued Wagtail's own search-index updates too, at django-tasks' default priority.)
    order = [name for path, _status, _priority in started if (name := path.rsplit(".", 1)[1]) in OURS]
    assert set(order[:3]) == {"process_outbox_task", "invalidate_task", "release_files_task"}, order
    assert order[3] == "send_notification_task", order
    assert set(order[4:]) == {"refresh_task", "build_task"}, order
    priorities = {path.rsplit(".", 1)[1]: priority for path, _status, priority in started}
    assert priorities["process_outbox_task"] == TaskPriority.PUBLICATION
    assert priorities["refresh_task"] == priorities["build_task"] == TaskPriority.REBUILD
    assert all(status in {"SUCCESSFUL", "FAILED"} for _path, status, _priority in started), started
