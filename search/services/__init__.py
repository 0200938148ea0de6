"""What the search app does, as the rest of the project calls it: the one module to import from.

- searching (``search.services.searching``): ``search``, ``suggest``, the answer cache's
  ``index_generation``, the compiled ``glossary`` and ``glossary_changed``;
- indexing (``search.services.indexing``): ``queue_update`` and ``process_outbox`` (the outbox of
  index updates), ``rebuild``, ``status``;
- engines (``search.services.engines``): which driver answers (``engine_driver``,
  ``EngineHealth``) and ``engine_ping`` for readiness checks.
"""

from search.drivers.base import EngineUnavailable
from search.services.engines import EngineHealth, engine_driver, engine_ping
from search.services.indexing import IndexStatus, OutboxReport, process_outbox, queue_update, rebuild, status
from search.services.searching import (
    clear_glossary_cache,
    glossary,
    glossary_changed,
    index_generation,
    search,
    suggest,
)

__all__ = [
    "EngineHealth",
    "EngineUnavailable",
    "IndexStatus",
    "OutboxReport",
    "engine_driver",
    "clear_glossary_cache",
    "engine_ping",
    "glossary",
    "glossary_changed",
    "index_generation",
    "process_outbox",
    "queue_update",
    "rebuild",
    "search",
    "status",
    "suggest",
]
