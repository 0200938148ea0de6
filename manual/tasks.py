"""Background work of the manual, run by django-tasks (immediately by default, or by db_worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_feedback_task(feedback_id: int) -> bool:
    """E-mail one kept accessibility feedback (manual.services.feedback); True when it went out."""
    from manual.services.feedback import send_stored

    return send_stored(feedback_id)
