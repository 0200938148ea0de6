"""The submission tasks moved from ``submissions.tasks`` to the services they run.

django-tasks-db stores each queued task by its dotted path (``DBTaskResult.task_path``) and the
worker imports it by that path, so rows queued before the move would name a module that is gone.
This rewrites them (finished ones too, so their results still resolve); reversing writes the old
paths back. Stop ``db_worker`` during the deployment that migrates, as for any release.
"""

from django.db import migrations

MOVED = {
    "submissions.tasks.convert_submission_task": "submissions.services.convert.convert_submission_task",
    "submissions.tasks.send_notification_task": "submissions.services.notifications.send_notification_task",
    "submissions.tasks.release_files_task": "submissions.services.media.release_files_task",
}


def _rename(apps, paths: dict[str, str]) -> None:
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in paths.items():
        results.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor) -> None:
    _rename(apps, MOVED)


def backwards(apps, schema_editor) -> None:
    _rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0006_attachment_cleaned"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
