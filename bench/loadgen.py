"""What the benchmarks that go through gunicorn share: a free port, the service under gunicorn, a
closed-loop load of HTTP clients on loopback, and the figures printed from the timings."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One request of a client: (method, path, body, headers).
Request = tuple[str, str, bytes | None, dict[str, str]]


def prepare_environment(name: str) -> Path:
    """The benchmark's data directory, exported as VAR_DIR before Django starts (the settings read
    it at import): ``--data DIR`` of the command line (a database generated on the first run and
    reused after), else a new temporary directory; with a throwaway SECRET_KEY, plain HTTP and
    quiet logs."""
    data = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--data=")), None)
    if "--data" in sys.argv[:-1]:
        data = sys.argv[sys.argv.index("--data") + 1]
    var = Path(data).resolve() if data else Path(tempfile.mkdtemp(prefix=f"manual-bench-{name}-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
    os.environ.setdefault("SECURE_HTTPS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return var


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(workers: int, **environ: str) -> Iterator[int]:
    """Serve the service with gunicorn on a free loopback port (yielded) until the block ends."""
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), GUNICORN_WORKERS=str(workers))
    env.update(GUNICORN_THREADS="1", GUNICORN_ACCESS_LOG="/dev/null")
    env.update(environ)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "site_config/gunicorn.conf.py"]
    command += ["--error-logfile", "-", "--log-level", "warning"]
    # The console e-mail backend of development prints to standard output: not the figures.
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        for _ in range(600):  # gunicorn's start syncs locales first
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def load(
    port: int, next_request: Callable[[int], Request], seconds: float, threads: int, ok: tuple[int, ...] = (200,)
) -> tuple[list[float], int]:
    """Closed loop: each of ``threads`` clients sends its next request as soon as the last answered.

    ``next_request(i)`` gives the i-th request of a client (clients start at different offsets).
    Returns the latencies in milliseconds and the number of answers whose status is not in ``ok``.
    """
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = offset
        while time.perf_counter() < deadline:
            method, path, body, headers = next_request(i)
            i += threads
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                timings.append(elapsed)
                errors += response.status not in ok
        conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return timings, errors


def get(paths: list[str]) -> Callable[[int], Request]:
    """Requests cycling through ``paths`` with GET."""
    return lambda i: ("GET", paths[i % len(paths)], None, {})


def figures(name: str, timings: list[float], seconds: float, errors: int) -> dict:
    q = statistics.quantiles(timings, n=100)
    result = {"p50": q[49], "p95": q[94], "p99": q[98], "rps": len(timings) / seconds, "n": len(timings)}
    print(f"{name:<34} p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  {result['rps']:7.0f} req/s"
          f"  ({len(timings)} requests, {errors} errors)")  # fmt: skip
    return result
