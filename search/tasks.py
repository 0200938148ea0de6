"""The search app's tasks live beside the service they run (``search.services.indexing``).

This path stays importable because a queued task names its function by module path: rows a
database task backend queued as ``search.tasks.process_outbox_task`` before an upgrade still run.
"""

from search.services.indexing import process_outbox_task

__all__ = ["process_outbox_task"]
