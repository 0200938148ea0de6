"""The served stack of `make run` with the HTTP cache: Apache -> nginx -> Varnish -> gunicorn (scripts/serve.sh).

Started once per test run (the session fixture ``served_stack`` in tests/conftest.py) by
bench/slow_clients.start_stack, in an empty VAR_DIR on SQLite with the demo content. Used by
tests/test_serving.py (slow and big clients at the front and at gunicorn's socket) and
tests/test_http_cache.py (what Varnish keeps, and purges on publication).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench import slow_clients

ROOT = Path(__file__).resolve().parent.parent.parent
# The proxies' client timeout for this run (PROXY_CLIENT_TIMEOUT): Apache's headers get 3 s (up to 12 s
# while they flow at the minimum rate), a body 6 s plus 1 s per MIN_RATE bytes; nginx's stall timeout 3 s.
CLIENT_TIMEOUT = 3
MIN_RATE = 500  # bytes per second (PROXY_MIN_RATE, site_config/apache)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def cache(self) -> str:
        """Varnish's X-Cache: HIT or MISS."""
        return self.headers.get("X-Cache", "")


@dataclass
class ServedStack:
    url: str
    var_dir: Path
    purge_port: int
    environ: dict[str, str]
    log: Path  # standard output and error of scripts/run.sh: Apache's and nginx's error logs among them

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80

    @property
    def gunicorn_socket(self) -> Path:
        return self.var_dir / "run" / "gunicorn.sock"

    @property
    def frontend_cache_url(self) -> str:
        return f"http://127.0.0.1:{self.purge_port}"

    def at_front(self) -> socket.socket:
        """A connection to the stack's address (Apache, the front of `make run`)."""
        return socket.create_connection((self.host, self.port), timeout=10)

    def at_gunicorn(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(str(self.gunicorn_socket))
        return sock

    def get(
        self, path: str, headers: dict[str, str] | None = None, method: str = "GET", source: str | None = None
    ) -> Answer:
        """One request through the front (Apache, nginx, Varnish), a new connection each, from ``source`` if given."""
        address = (source, 0) if source else None
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=address)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
        finally:
            connection.close()

    def django(self, code: str) -> object:
        """Run ``code`` in a Django process of the stack (its database, FRONTEND_CACHE_URL): what an
        editor's publication or a command does. ``code`` sets ``result``, returned as JSON."""
        program = (
            "import json, django\ndjango.setup()\nresult = None\n"
            + code
            + "\nprint('RESULT=' + json.dumps(result, default=str))\n"
        )
        environ = dict(self.environ, FRONTEND_CACHE_URL=self.frontend_cache_url, LOG_LEVEL="WARNING")
        done = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", program], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise AssertionError(f"django code failed:\n{done.stdout}\n{done.stderr}")
        line = [line for line in done.stdout.splitlines() if line.startswith("RESULT=")][-1]
        return json.loads(line.removeprefix("RESULT="))

    def varnish_log(self, query: str, *tags: str) -> str:
        """Varnish's in-memory log of the requests matching ``query`` (varnishlog -d), ``tags`` only."""
        done = subprocess.run(  # noqa: S603 - Debian's varnishlog on our own instance
            ["/usr/bin/varnishlog", "-n", str(self.var_dir / "run" / "varnish"), "-d", "-g", "request", "-q", query]
            + [argument for tag in tags for argument in ("-i", tag)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    def wait_until(self, path: str, seen: str, seconds: float, headers: dict[str, str] | None = None) -> float:
        """Seconds until ``path`` shows ``seen`` through the cache (AssertionError past ``seconds``)."""
        started = time.monotonic()
        while True:
            answer = self.get(path, headers)
            elapsed = time.monotonic() - started
            if seen in answer.body:
                return elapsed
            if elapsed > seconds:
                raise AssertionError(f"{path} did not show {seen!r} within {seconds} s (X-Cache {answer.cache})")
            time.sleep(0.05)


def start(log_path: Path) -> tuple[ServedStack, subprocess.Popen]:
    """Start the stack, Apache in front, Varnish between nginx and gunicorn; returns it and the process to stop."""
    purge_port = slow_clients.free_port()
    extra = {
        "PROXY_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
        "PROXY_MIN_RATE": str(MIN_RATE),
        "GUNICORN_WORKERS": "2",
        "HTTP_CACHE": "varnish",
        "VARNISH_PURGE_PORT": str(purge_port),
    }
    process, url, var_dir = slow_clients.start_stack("apache", log_path, **extra)
    environ = dict(os.environ, VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="site_config.settings", SEARCH_URL="")
    parts = urllib.parse.urlsplit(url)
    environ.update(HOST=parts.hostname or "127.0.0.1", PORT=str(parts.port), SECURE_HTTPS="0")
    environ.pop("DATABASE_URL", None)
    return ServedStack(url, var_dir, purge_port, environ, log_path), process
