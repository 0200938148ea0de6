"""The app's task lives beside the service it runs (``opendata.services.dumps.refresh_task``).

This path stays importable because a queued task names its function by module path.
"""

from opendata.services.dumps import refresh_task

__all__ = ["refresh_task"]
