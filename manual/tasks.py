"""Background work of the manual, run by django-tasks (immediately by default, or by db_worker).

Each task lives beside the service it runs (``manual.services.feedback.send_feedback_task``), so
services never import this module. The name stays importable here because the database backend
finds a queued task by its path: tasks queued before the move name ``manual.tasks.send_feedback_task``.
"""

from manual.services.feedback import send_feedback_task

__all__ = ["send_feedback_task"]
