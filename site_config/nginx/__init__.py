"""nginx in front of gunicorn: the configuration files, rendered from the settings (manage.py nginx_conf)."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(__file__).resolve().parent
# nginx closes a client whose headers take longer, or whose body stalls longer, than this.
DEFAULT_CLIENT_TIMEOUT = 5
DEFAULT_CONNECTIONS_PER_ADDRESS = 100


def _render(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text()
    text = re.sub(r"@([A-Z_]+)@", lambda match: values[match.group(1)], text)
    return text


def site_conf(
    listen: str,
    upstream: str,
    client_timeout: int = DEFAULT_CLIENT_TIMEOUT,
    connections_per_address: int = DEFAULT_CONNECTIONS_PER_ADDRESS,
) -> str:
    """The server block: buffering proxy to ``upstream`` (``unix:/path`` or ``host:port``)."""
    return _render(
        "site.conf.template",
        {
            "LISTEN": listen,
            "UPSTREAM": upstream,
            "CLIENT_TIMEOUT": str(client_timeout),
            "MAX_BODY_BYTES": str(settings.SUBMISSIONS_MAX_REQUEST_BYTES),
            "CONNECTIONS_PER_ADDRESS": str(connections_per_address),
        },
    )


def standalone_conf(run_dir: Path) -> str:
    """The main file of a foreground nginx run by the current user (make run); includes site.conf."""
    return _render("standalone.conf.template", {"RUN_DIR": str(run_dir), "USER": getpass.getuser()})
