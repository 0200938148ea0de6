"""Apache in front of nginx: the configuration files, rendered from the settings (manage.py apache_conf).

Apache's mod_reqtimeout closes a client whose headers or body arrive slower than a minimum rate,
which nginx 1.22 cannot (its body timeout is re-armed by every read); nginx behind it keeps
buffering bodies and answers for the limits (site_config/nginx). docs/operations.md "Production set-up".
"""

from __future__ import annotations

import getpass
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from site_config.api_fallback import PROXY_ERRORS, proxy_error_body

TEMPLATES = Path(__file__).resolve().parent
# A header gets this long from its first byte (more while it flows at MIN_RATE, up to 4 times it);
# a body twice it, plus 1 s per MIN_RATE bytes received. As nginx's client timeouts (PROXY_CLIENT_TIMEOUT).
DEFAULT_CLIENT_TIMEOUT = 5
# Debian's own default for mod_reqtimeout (/etc/apache2/mods-available/reqtimeout.conf): 500 B/s,
# 4 kbit/s, well under a poor mobile link, far over a drip of one byte every few seconds.
DEFAULT_MIN_RATE = 500
# mpm_event threads: 400 slow clients at once (bench/slow_clients.py) and the normal traffic.
DEFAULT_PROCESSES = 4
DEFAULT_THREADS = 128


def _render(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text()
    return re.sub(r"@([A-Z_]+)@", lambda match: values[match.group(1)], text)


def server_name() -> str:
    return urlsplit(settings.BASE_URL).hostname or "localhost"


def _error_document(status: int) -> str:
    """Apache's ErrorDocument line for ``status``: the API's JSON error body as a quoted string."""
    quoted = proxy_error_body(status).replace("\\", "\\\\").replace('"', '\\"')
    return f'        ErrorDocument {status} "{quoted}"'


def site_conf(
    listen: str,
    upstream: str,
    client_timeout: int = DEFAULT_CLIENT_TIMEOUT,
    min_rate: int = DEFAULT_MIN_RATE,
    processes: int = DEFAULT_PROCESSES,
    threads: int = DEFAULT_THREADS,
) -> str:
    """The site: ``listen`` (``*:80``, ``127.0.0.1:8000``) in front of nginx at ``upstream`` (``host:port``)."""
    return _render(
        "site.conf.template",
        {
            "LISTEN": listen,
            "UPSTREAM": upstream,
            "SERVER_NAME": server_name(),
            "HEADER_TIMEOUT": str(client_timeout),
            "HEADER_MAX": str(4 * client_timeout),
            "BODY_TIMEOUT": str(2 * client_timeout),
            "MIN_RATE": str(min_rate),
            "MAX_BODY_BYTES": str(settings.SUBMISSIONS_MAX_REQUEST_BYTES),
            "API_ERROR_DOCUMENTS": "\n".join(_error_document(status) for status in sorted(PROXY_ERRORS)),
            "API_ERROR_STATUSES": ", ".join(f"'{status}'" for status in sorted(PROXY_ERRORS)),
            "PROCESSES": str(processes),
            "THREADS": str(threads),
            "WORKERS": str(processes * threads),
        },
    )


def standalone_conf(run_dir: Path, listen: str) -> str:
    """The main file of a foreground Apache run by the current user (make run); includes apache-site.conf.

    Apache will not serve as root: run as root (CI), its children become Debian's ``www-data``.
    """
    user = getpass.getuser()
    user_lines = "User www-data\nGroup www-data" if user == "root" else ""
    return _render(
        "standalone.conf.template",
        {"RUN_DIR": str(run_dir), "LISTEN": listen, "SERVER_NAME": server_name(), "USER_LINES": user_lines},
    )
