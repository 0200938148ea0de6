"""One JSON object per log line, so that log collectors can parse them without rules."""

import json
import logging
from datetime import UTC, datetime

from site_config.redaction import redact

RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Values passed with `extra=` become fields of their own.
        for key, value in record.__dict__.items():
            if key not in RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Last line of defence: an extra such as a request object shows its URL only once turned into
        # text here, after any filter ran (site_config.redaction).
        return redact(json.dumps(entry, ensure_ascii=False))
