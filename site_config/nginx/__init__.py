"""nginx in front of gunicorn: the configuration files, rendered from the settings (manage.py nginx_conf)."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

from django.conf import settings

from site_config.api_fallback import PROXY_ERRORS

TEMPLATES = Path(__file__).resolve().parent
# nginx closes a client whose headers take longer, or whose body stalls longer, than this.
DEFAULT_CLIENT_TIMEOUT = 5
DEFAULT_CONNECTIONS_PER_ADDRESS = 100


# Debian's nginx error log, where a site file included from /etc/nginx/nginx.conf keeps logging.
DEBIAN_ERROR_LOG = "/var/log/nginx/error.log"


def _render(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text()
    text = re.sub(r"@([A-Z_]+)@", lambda match: values[match.group(1)], text)
    return text


def site_conf(
    listen: str,
    upstream: str,
    client_timeout: int = DEFAULT_CLIENT_TIMEOUT,
    connections_per_address: int = DEFAULT_CONNECTIONS_PER_ADDRESS,
    trusted_front: str = "",
    error_log: str = DEBIAN_ERROR_LOG,
) -> str:
    """The server block: buffering proxy to ``upstream`` (``unix:/path`` or ``host:port``).

    Its errors go to ``error_log`` at level ``crit`` only: nginx writes the whole request line, query
    string and all, into every error line about a request (an upstream that failed, a body too
    large), and the query string may carry a submitter's status or edit token, which no log may hold
    (docs/operations.md "Threats and limits"). What those lines would say, the app, Varnish and
    Apache log without the secret.

    With ``trusted_front`` (the address of Apache in front, site_config/apache), the client's address
    is taken from the X-Forwarded-For that it sets, from that address only, before the limits count.
    """
    return _render(
        "site.conf.template",
        {
            "LISTEN": listen,
            "UPSTREAM": upstream,
            "CLIENT_TIMEOUT": str(client_timeout),
            "MAX_BODY_BYTES": str(settings.SUBMISSIONS_MAX_REQUEST_BYTES),
            "CONNECTIONS_PER_ADDRESS": str(connections_per_address),
            "TRUSTED_FRONT": _trusted_front(trusted_front),
            "ERROR_LOG": error_log,
            "FRONT_PROTO": f"    {trusted_front} $http_x_forwarded_proto;\n" if trusted_front else "",
            "API_ERROR_CODES": "".join(f"    {status} {code};\n" for status, (code, _) in sorted(PROXY_ERRORS.items())),
            "API_ERROR_MESSAGES": "".join(
                f'    {status} "{message}";\n' for status, (_, message) in sorted(PROXY_ERRORS.items())
            ),
        },
    )


def _trusted_front(address: str) -> str:
    if not address:
        return ""
    return (
        "    # Behind Apache (site_config/apache): it replaces X-Forwarded-For with its client's address; the\n"
        "    # header is believed from Apache's address only, and $remote_addr (limits, logs) becomes the client.\n"
        f"    set_real_ip_from {address};\n"
        "    real_ip_header X-Forwarded-For;\n"
        "    real_ip_recursive off;\n"
    )


def standalone_conf(run_dir: Path) -> str:
    """The main file of a foreground nginx run by the current user (make run); includes site.conf."""
    return _render("standalone.conf.template", {"RUN_DIR": str(run_dir), "USER": getpass.getuser()})
