"""Varnish between nginx and gunicorn: its VCL, rendered from the settings (manage.py varnish_vcl)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from site_config.frontend_cache import NEVER_CACHED_PATHS

TEMPLATE = Path(__file__).resolve().parent / "default.vcl.template"
DEFAULT_PURGERS = ("127.0.0.1", "::1")
# A VCL string has no escapes: a value must not end it.
_VCL_STRING = re.compile(r'^[^"\n{}]*$')


def canonical_host() -> str:
    """The host of BASE_URL: the one Host every cached answer is made for."""
    return urlsplit(settings.BASE_URL).netloc


def _vcl_string(value: str, what: str) -> str:
    if not _VCL_STRING.match(value):
        raise ValueError(f"{what}: {value!r} cannot be written into the VCL")
    return value


def backend_lines(upstream: str) -> str:
    """``.path`` for ``unix:/path/to.sock``, ``.host`` and ``.port`` for ``host:port``."""
    if upstream.startswith("unix:"):
        return f'.path = "{_vcl_string(upstream.removeprefix("unix:"), "backend")}";'
    host, _, port = upstream.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"backend: expected unix:/path or host:port, got {upstream!r}")
    return f'.host = "{_vcl_string(host.strip("[]"), "backend")}";\n    .port = "{port}";'


def acl_lines(purgers: list[str]) -> str:
    lines = []
    for entry in purgers:
        network = ipaddress.ip_network(entry, strict=False)  # ValueError for anything but an address or network
        lines.append(f'    "{network.network_address}"/{network.prefixlen};')
    return "\n".join(lines)


def vcl(upstream: str, host: str | None = None, purgers: list[str] | None = None) -> str:
    values = {
        "BACKEND": backend_lines(upstream),
        "PURGERS": acl_lines(list(purgers or DEFAULT_PURGERS)),
        "HOST": _vcl_string(host or canonical_host(), "host"),
        "NEVER_CACHED": _vcl_string("|".join(NEVER_CACHED_PATHS), "never-cached paths"),
    }
    return re.sub(r"@([A-Z_]+)@", lambda match: values[match.group(1)], TEMPLATE.read_text())
