"""Big request bodies against the served stack (prints figures; exits non-zero when a target fails).

    .venv/bin/python bench/big_bodies.py

Starts `scripts/run.sh` like `make run` (nginx in front of one gunicorn worker, SQLite, demo content,
empty VAR_DIR) and sends form posts of 40 parts of 10 MB to /en/submit/ (400 MB, past the 26.3 MB
limit), each way a client can: declared by Content-Length or chunked, through nginx or straight at
gunicorn's unix socket (a deployment without the proxy). Then a legitimate post just under the limit
(2 x 10 MB + 4 MB attachments). For each: the answer, how long it took, how much of the body was
sent before the answer came, and how much the gunicorn worker's peak memory (VmHWM in /proc) grew.

Targets: oversize posts answered 413, the declared ones within 1 s (the "body sent" column is what
the client's kernel took into socket buffers before the answer came, not what the server read); the
worker's peak memory grows by less than 50 MB in every case.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.slow_clients import start_stack, stop_stack  # noqa: E402

MB = 1024 * 1024
BOUNDARY = "bench-boundary-7d9f"
BLOCK = b"\0" * MB


def parts_body(sizes: list[int], csrf_token: str = ""):
    """The multipart body, as a generator of byte strings (never whole in memory)."""
    if csrf_token:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf_token}\r\n'
        ).encode()
    for i, size in enumerate(sizes):
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="part{i}.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        for _ in range(size // MB):
            yield BLOCK
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


def body_length(sizes: list[int], csrf_token: str) -> int:
    return sum(len(piece) for piece in parts_body(sizes, csrf_token) if piece is not BLOCK) + sum(sizes)


def csrf_token(host: str, port: int) -> str:
    """A CSRF token and its cookie, as a browser has them after loading the form."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", "/en/submit/")
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    match = re.search(r"csrftoken=([^;]+)", cookie)
    if not match:
        raise SystemExit("the form set no csrftoken cookie")
    return match.group(1)


@dataclass
class Outcome:
    status: int | None
    seconds: float
    sent: int
    total: int
    peak_growth_mb: float


def worker_pids(group: int) -> list[int]:
    """gunicorn workers of the stack: gunicorn processes of its process group whose parent is gunicorn."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent_cmdline = Path(f"/proc/{stat[1]}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline and b"gunicorn" in parent_cmdline and int(stat[2]) == group:
            found.append(int(entry.name))
    return found


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def post(connect, path: str, sizes: list[int], chunked: bool, token: str) -> tuple[int | None, float, int, int]:
    total = body_length(sizes, token)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
    head += f"Cookie: csrftoken={token}\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {total}\r\n\r\n"
    sock = connect()
    sent = 0
    answer: list[bytes] = []
    answered = threading.Event()

    def receive() -> None:
        try:
            data = sock.recv(4096)
            answer.append(data)
        except OSError:
            pass
        answered.set()

    started = time.perf_counter()
    sock.sendall(head.encode())
    receiver = threading.Thread(target=receive)
    receiver.start()
    try:
        for piece in parts_body(sizes, token):
            if answered.is_set():
                break
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server stopped reading
    answered.wait(120)
    seconds = time.perf_counter() - started
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    receiver.join()
    status = int(answer[0].split(b" ", 2)[1]) if answer and answer[0].startswith(b"HTTP/") else None
    return status, seconds, sent, total


def main() -> int:
    log_path = Path(tempfile.mkstemp(prefix="manual-bench-big-", suffix=".log")[1])
    print(f"starting scripts/run.sh (nginx + 1 gunicorn worker); its log: {log_path}", flush=True)
    process, url, var_dir = start_stack(
        "nginx", log_path, GUNICORN_WORKERS="1", SUBMISSIONS_RATE_LIMIT="0", GUNICORN_MAX_REQUESTS="100000"
    )
    parts = urllib.parse.urlsplit(url)
    try:
        workers = worker_pids(process.pid)
        if len(workers) != 1:
            raise SystemExit(f"expected one gunicorn worker, found {workers}")
        worker = workers[0]
        token = csrf_token(parts.hostname or "127.0.0.1", parts.port or 80)

        def at_nginx() -> socket.socket:
            return socket.create_connection((parts.hostname, parts.port), timeout=60)

        def at_gunicorn() -> socket.socket:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(60)
            sock.connect(str(var_dir / "run" / "gunicorn.sock"))
            return sock

        oversize = [10 * MB] * 40
        legitimate = [10 * MB, 10 * MB, 4 * MB]
        cases = [
            ("40 x 10 MB, Content-Length, through nginx", at_nginx, oversize, False, True),
            ("40 x 10 MB, Content-Length, straight at gunicorn", at_gunicorn, oversize, False, True),
            ("40 x 10 MB, chunked, through nginx", at_nginx, oversize, True, True),
            ("40 x 10 MB, chunked, straight at gunicorn", at_gunicorn, oversize, True, True),
            ("24 MB legitimate (2 x 10 MB + 4 MB), through nginx", at_nginx, legitimate, False, False),
            ("24 MB legitimate (2 x 10 MB + 4 MB), straight at gunicorn", at_gunicorn, legitimate, False, False),
        ]
        ok = True
        print(f"{'case':58} {'status':>6} {'seconds':>8} {'body sent':>16} {'worker peak +MB':>16}")
        for name, connect, sizes, chunked, too_big in cases:
            before = peak_kb(worker)
            status, seconds, sent, total = post(connect, "/en/submit/", sizes, chunked, token)
            time.sleep(0.5)
            growth = (peak_kb(worker) - before) / 1024
            sent_text = f"{sent / MB:.1f}/{total / MB:.0f} MB"
            print(f"{name:58} {status!s:>6} {seconds:8.2f} {sent_text:>16} {growth:16.1f}", flush=True)
            if growth >= 50:
                ok = False
            if too_big and status != 413:
                ok = False
            if too_big and not chunked and seconds >= 1:
                ok = False
            if not too_big and (status is None or status >= 500 or status == 413):
                ok = False
        print(f"worker peak memory (VmHWM) at the end: {peak_kb(worker) / 1024:.0f} MB")
        print("result: " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        stop_stack(process)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
