"""Slow-client attack on the served stack (prints figures; exits non-zero when the targets fail).

    .venv/bin/python bench/slow_clients.py                      # starts `scripts/run.sh` like `make run`
    .venv/bin/python bench/slow_clients.py --front-proxy none   # the old set-up: gunicorn alone
    .venv/bin/python bench/slow_clients.py --url http://127.0.0.1:8000   # a stack already running

One attacker (source address 127.0.0.1) opens ``--slow-body`` connections that send a POST's headers
and then its body one byte every ``--interval`` seconds, and ``--slow-header`` connections that send
a request line and then one header byte every ``--interval`` seconds, never finishing. Meanwhile
"everyone else" (source address 127.0.0.2, so a per-address connection limit of the proxy does not
count them with the attacker) reads ``/healthz``, ``/en/`` and ``/api/v1/cases`` in a loop. Printed:
p50/p95/max latency and failures (errors, timeouts, 5xx) of those reads, and how the server ended
each slow connection (an HTTP status such as 408/413/429, or a plain close) and how many it left open.

Targets (exit status 1 when missed): 0 failures, p95 under ``--p95-ms`` (250), and every slow
connection closed by the server before the attack ends.

Loopback only, bounded: at most ``--slow-body + --slow-header`` connections for ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUTES = ("/healthz", "/en/", "/api/v1/cases")
CHECKER_SOURCE = "127.0.0.2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_stack(front_proxy: str, log_path: Path, **extra: str) -> tuple[subprocess.Popen, str, Path]:
    """Start the app the way `make run` does (scripts/run.sh) in an empty VAR_DIR on a free port."""
    var_dir = Path(tempfile.mkdtemp(prefix="manual-bench-slow-"))
    port = free_port()
    environ = dict(
        os.environ,
        VAR_DIR=str(var_dir),
        PORT=str(port),
        HOST="127.0.0.1",
        FRONT_PROXY=front_proxy,
        NGINX_PORT=str(free_port()),  # nginx behind Apache (FRONT_PROXY=apache)
        GUNICORN_ACCESS_LOG="/dev/null",  # 400 attack connections would flood the terminal
        LOG_LEVEL="WARNING",
        SEARCH_URL="",
        DJANGO_SETTINGS_MODULE="site_config.settings",
        **extra,
    )
    environ.pop("DATABASE_URL", None)
    log = log_path.open("wb")
    command = [str(ROOT / "scripts" / "run.sh")]
    process = subprocess.Popen(  # noqa: S603 - our own script
        command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scripts/run.sh exited with {process.returncode}; see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, url, var_dir
        except OSError:
            pass
        time.sleep(0.5)
    stop_stack(process)
    raise SystemExit(f"the stack did not answer /healthz in time; see {log_path}")


def stop_stack(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class SlowResults:
    endings: dict[str, int] = field(default_factory=dict)  # "408", "429", "closed", ...
    still_open: int = 0
    close_seconds: list[float] = field(default_factory=list)

    def record(self, ending: str, seconds: float) -> None:
        self.endings[ending] = self.endings.get(ending, 0) + 1
        self.close_seconds.append(seconds)


async def slow_connection(
    host: str, port: int, head: bytes, drip: bytes, interval: float, until: float, results: SlowResults
) -> None:
    """Send ``head`` at once, then ``drip`` one byte per ``interval``; note how the server ends it."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        results.record("refused", 0.0)
        return
    try:
        writer.write(head)
        await writer.drain()
        position = 0
        while time.monotonic() < until:
            try:
                answer = await asyncio.wait_for(reader.read(256), timeout=interval)
            except TimeoutError:
                byte = drip[position % len(drip) : position % len(drip) + 1]
                position += 1
                writer.write(byte)
                await writer.drain()
                continue
            if answer.startswith(b"HTTP/"):
                results.record(answer.split(b" ", 2)[1].decode("ascii", "replace"), time.monotonic() - started)
            else:
                results.record("closed", time.monotonic() - started)
            return
        results.still_open += 1
    except (ConnectionError, OSError):
        results.record("reset", time.monotonic() - started)
    finally:
        writer.close()


async def attack(url: str, slow_body: int, slow_header: int, interval: float, seconds: float) -> SlowResults:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    body_head = (
        f"POST /api/v1/submissions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 4096\r\n\r\n"
    ).encode()
    header_head = f"GET /en/ HTTP/1.1\r\nHost: {host}\r\n".encode()
    results = SlowResults()
    until = time.monotonic() + seconds
    tasks = []
    for i in range(max(slow_body, slow_header)):
        if i < slow_body:
            tasks.append(slow_connection(host, port, body_head, b"{" + b" " * 63, interval, until, results))
        if i < slow_header:
            tasks.append(slow_connection(host, port, header_head, b"X-Slow: x\r\n", interval, until, results))
    await asyncio.gather(*tasks)
    return results


@dataclass
class Reads:
    latencies_ms: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1


def read_loop(url: str, until: float, reads: Reads, lock: threading.Lock) -> None:
    """The other clients: one request at a time, a new connection each, from another address."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    source = (CHECKER_SOURCE, 0) if host.startswith("127.") else None
    i = 0
    while time.monotonic() < until:
        path = ROUTES[i % len(ROUTES)]
        i += 1
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=10, source_address=source)
            connection.request("GET", path, headers={"Accept-Language": "en"})
            response = connection.getresponse()
            response.read()
            connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status >= 500 or response.status == 429:
                    reads.fail(f"{path} {response.status}")
                else:
                    reads.latencies_ms.append(elapsed)
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                reads.fail(f"{path} {type(exc).__name__}")
        time.sleep(0.05)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(url: str, args: argparse.Namespace) -> bool:
    attack_seconds = args.seconds
    until = time.monotonic() + attack_seconds
    reads, lock = Reads(), threading.Lock()
    # The reads start once the attack is under way: the first slow connections are open by then.
    threads = [threading.Thread(target=read_loop, args=(url, until, reads, lock)) for _ in range(args.readers)]

    def start_readers() -> None:
        time.sleep(min(2.0, attack_seconds / 4))
        for thread in threads:
            thread.start()

    starter = threading.Thread(target=start_readers)
    starter.start()
    slow = asyncio.run(attack(url, args.slow_body, args.slow_header, args.interval, attack_seconds))
    starter.join()
    for thread in threads:
        thread.join()

    latencies = reads.latencies_ms
    failures = sum(reads.failures.values())
    p95 = percentile(latencies, 0.95)
    total_slow = args.slow_body + args.slow_header
    closed = total_slow - slow.still_open
    print(f"target: {url}")
    print(
        f"attack: {args.slow_body} slow-body + {args.slow_header} slow-header connections, "
        f"one byte per {args.interval:g} s, {attack_seconds:g} s"
    )
    print(
        f"reads of {', '.join(ROUTES)} during the attack: {len(latencies) + failures} requests, "
        f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(latencies, default=float('nan')):.1f} ms, failures {failures}"
        + (f" {dict(sorted(reads.failures.items()))}" if failures else "")
    )
    endings = ", ".join(f"{name}: {count}" for name, count in sorted(slow.endings.items())) or "none"
    print(
        f"slow connections closed by the server: {closed}/{total_slow} ({endings}); "
        f"median time to close {statistics.median(slow.close_seconds) if slow.close_seconds else float('nan'):.1f} s; "
        f"still open at the end: {slow.still_open}"
    )
    ok = failures == 0 and p95 < args.p95_ms and slow.still_open == 0 and bool(latencies)
    print("result: " + ("PASS" if ok else f"FAIL (targets: 0 failures, p95 < {args.p95_ms:g} ms, all slow closed)"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running stack; default: start scripts/run.sh in a temporary VAR_DIR")
    parser.add_argument(
        "--front-proxy", default=os.environ.get("FRONT_PROXY", "apache"), choices=["apache", "nginx", "none"]
    )
    parser.add_argument("--slow-body", type=int, default=200)
    parser.add_argument("--slow-header", type=int, default=200)
    parser.add_argument("--interval", type=float, default=6.0, help="seconds between two bytes of a slow client")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of the attack")
    parser.add_argument("--readers", type=int, default=2, help="concurrent readers of the three routes")
    parser.add_argument("--p95-ms", type=float, default=250.0)
    args = parser.parse_args()
    if args.slow_body + args.slow_header > 1000 or args.seconds > 600:
        parser.error("bounded: at most 1000 slow connections for at most 600 s")
    return measure(parser, args, run, args.front_proxy)


def measure(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    run: Callable[[str, argparse.Namespace], bool],
    front_proxy: str,
    **extra: str,
) -> int:
    """``run`` against ``--url`` (loopback only), or against a stack started for it and stopped after."""
    if args.url:
        if urllib.parse.urlsplit(args.url).hostname not in {"127.0.0.1", "localhost"}:
            parser.error("--url must be on loopback (127.0.0.1 or localhost)")
        return 0 if run(args.url, args) else 1
    log_path = Path(tempfile.mkstemp(prefix="manual-bench-", suffix=".log")[1])
    print(f"starting scripts/run.sh (FRONT_PROXY={front_proxy} {extra}); its log: {log_path}", flush=True)
    process, url, _var_dir = start_stack(front_proxy, log_path, **extra)
    try:
        return 0 if run(url, args) else 1
    finally:
        stop_stack(process)


if __name__ == "__main__":
    sys.exit(main())
