"""Redis and two app servers for tests/test_shared_caches.py (docs/operations.md "Shared caches").

``start_redis`` starts Debian's redis-server on loopback on a free port, with nothing saved to
disk; the session fixture ``redis_url`` in tests/conftest.py calls it once per run, unless
scripts/with-redis.sh gave the run one (``REDIS_URL``, kept by tests/settings.py as
``REDIS_TEST_URL``).

``AppServer`` is one app server: a long-lived Django process of the production settings with its
own ``VAR_DIR`` (no shared disk), the shared database and, if given, the shared Redis. It runs the
code a test sends it, in one namespace, so what it caches in its own memory survives between calls
like a gunicorn worker's.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from bench import slow_clients

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_SERVER = "/usr/bin/redis-server"
# One key for every app server of the run: the rate limit's client fingerprints are keyed with it.
SECRET_KEY = secrets.token_urlsafe(50)

# The agent: reads one JSON line {"code": ...} per request, runs it (it sets ``result``) and
# answers one JSON line {"result": ...} or {"error": ...}.
AGENT = """
import json, sys, traceback
import django
django.setup()
namespace = {}
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    namespace["result"] = None
    try:
        exec(json.loads(line)["code"], namespace)
        answer = {"result": namespace["result"]}
    except Exception:
        answer = {"error": traceback.format_exc()}
    print(json.dumps(answer, default=str), flush=True)
"""


def start_redis(directory: Path) -> tuple[str, subprocess.Popen]:
    """Debian's redis-server on 127.0.0.1 and a free port; skipped without it (fails under CI=true)."""
    if not shutil.which(REDIS_SERVER):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {REDIS_SERVER} is missing (scripts/bootstrap.sh installs redis-server)")
        pytest.skip(f"{REDIS_SERVER} is missing (Debian: apt-get install redis-server)")
    port = slow_clients.free_port()
    process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, our own arguments
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--dir", str(directory), "--logfile", str(directory / "redis.log")],
        cwd=directory,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return url, process
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"redis-server did not start: {(directory / 'redis.log').read_text()}") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_environment(database: Path, var_dir: Path, redis_url: str) -> dict[str, str]:
    """The environment of an app server: production settings, its own VAR_DIR, the shared database."""
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_", "DATABASE_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        SECRET_KEY=SECRET_KEY,
        VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=redis_url,
        SEARCH_URL="",
        SECURE_HTTPS="0",
        ALLOWED_HOSTS="testserver",  # Django's test client, which a test may drive inside a server
        SUBMISSIONS_RATE_LIMIT="2",
        LOG_LEVEL="ERROR",
    )
    return environ


def migrate(database: Path, var_dir: Path) -> None:
    """Make the shared database (the schema, the locales and the taxonomy terms)."""
    environ = server_environment(database, var_dir, "")
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        timeout=600,
    )


class AppServer:
    """One app server process (see the module's docstring); stop it with ``close``."""

    def __init__(self, name: str, database: Path, var_dir: Path, redis_url: str) -> None:
        self.name = name
        var_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and agent
            [sys.executable, "-c", AGENT],
            cwd=ROOT,
            env=server_environment(database, var_dir, redis_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.process.stdout.readline() if self.process.stdout else ""
        if not ready:
            raise AssertionError(f"app server {name} did not start (exit {self.process.wait()})")

    def run(self, code: str) -> Any:
        """Run ``code`` in this server; it sets ``result``, which comes back through JSON."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"code": code}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"app server {self.name} died (exit {self.process.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"app server {self.name} failed:\n{answer['error']}")
        return answer["result"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
