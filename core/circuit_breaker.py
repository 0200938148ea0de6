"""A process-local circuit breaker: after a failed call to a service, leave it alone for a while.

The search engine's (``search.services.engines.EngineHealth``) and the shared Redis's
(``core.shared_cache.RedisHealth``) are subclasses, each with its own state: a dead service costs
one timeout per process and ``retry_after`` seconds, not one per request.
"""

from __future__ import annotations

import logging
import time
from typing import ClassVar


class CircuitBreaker:
    retry_after: ClassVar[float] = 5.0
    logger: ClassVar[logging.Logger] = logging.getLogger("core.circuit_breaker")
    message: ClassVar[str] = "service unavailable"
    down_until: ClassVar[float] = 0.0
    last_error: ClassVar[str] = ""

    @classmethod
    def available(cls) -> bool:
        return time.monotonic() >= cls.down_until

    @classmethod
    def failed(cls, error: Exception) -> None:
        cls.down_until = time.monotonic() + cls.retry_after
        cls.last_error = str(error)[:500]
        cls.logger.warning(cls.message, extra={"error": cls.last_error})

    @classmethod
    def reset(cls) -> None:
        cls.down_until, cls.last_error = 0.0, ""
