"""What the search app does, as the rest of the project calls it: the one module to import from.

- searching (``search.services.searching``): ``search``, ``suggest``, the answer cache's
  ``index_generation``;
- indexing (``search.services.indexing``): ``queue_update`` and ``process_outbox`` (the outbox of
  index updates), ``rebuild``, ``status``;
- engines (``search.services.engines``): which driver answers (``engine_driver``,
  ``EngineHealth``) and ``engine_ping`` for readiness checks.
"""

from search.drivers.base import EngineUnavailable
from search.services.engines import EngineHealth, engine_driver, engine_ping
from search.services.indexing import IndexStatus, OutboxReport, process_outbox, queue_update, rebuild, status
from search.services.searching import index_generation, search, suggest

__all__ = [
    "EngineHealth",
    "EngineUnavailable",
    "IndexStatus",
    "OutboxReport",
    "engine_driver",
    "engine_ping",
    "index_generation",
    "process_outbox",
    "queue_update",
    "rebuild",
    "search",
    "status",
    "suggest",
]
