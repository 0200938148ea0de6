"""gunicorn's access and error logs, with the secret tokens of URLs redacted (site_config.redaction).

gunicorn writes the request line (``%(r)s``), the query string, the Referer and, on a crash,
"Error handling request <uri>" itself, before Django sees anything: its logger class is the only
place that can redact them.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from site_config.redaction import RedactFilter, redact


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactFilter) for existing in log.filters):
                log.addFilter(RedactFilter())

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: %(r)s, %(U)s, %(q)s, %(f)s and any {header}i / {variable}e a format may use.
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
