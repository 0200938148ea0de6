"""The served stack of `make run` (scripts/run.sh: nginx in front of gunicorn) under slow and big clients.

Uses the real stack of the run (tests/support/serving.py: SQLite in an empty VAR_DIR, demo content,
free loopback port, Varnish between nginx and gunicorn as tests/test_http_cache.py needs) and runs
a smaller version of bench/slow_clients.py against it, then raw-socket requests that claim or send
oversize bodies, both at nginx and straight at gunicorn's unix socket (the app's own limits, as in
a deployment without the proxy). Figures (p95) are the bench's business; this asserts behaviour.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from bench import slow_clients
from tests.support import serving

pytestmark = pytest.mark.serving

CLIENT_TIMEOUT = serving.CLIENT_TIMEOUT


@pytest.fixture(scope="module")
def stack(served_stack: serving.ServedStack) -> serving.ServedStack:
    """The stack of the run (tests/conftest.py), with Varnish between nginx and gunicorn."""
    return served_stack


def status_of(sock: socket.socket) -> int:
    """The status code of the first answer on ``sock`` (waits at most its timeout)."""
    answer = b""
    while b"\r\n" not in answer:
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def claim(path: str, length: int, content_type: str = "multipart/form-data; boundary=x") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def test_slow_clients_do_not_stop_the_others_and_are_closed_by_a_timeout(stack):
    until_seconds = 15
    reads, lock = slow_clients.Reads(), threading.Lock()
    until = time.monotonic() + until_seconds
    readers = [threading.Thread(target=slow_clients.read_loop, args=(stack.url, until, reads, lock)) for _ in range(2)]
    for reader in readers:
        reader.start()
    slow = asyncio.run(slow_clients.attack(stack.url, 50, 50, CLIENT_TIMEOUT + 1.5, until_seconds))
    for reader in readers:
        reader.join()

    assert reads.failures == {}, "every read of /healthz, /en/, /api/v1/cases was answered"
    assert len(reads.latencies_ms) >= 30, "the others kept being served during the attack"
    assert slow.still_open == 0, slow.endings
    assert sum(slow.endings.values()) == 100
    assert set(slow.endings) <= {"408", "reset", "closed"}, "closed by the timeout, nothing else"


@pytest.mark.parametrize("where", ["nginx", "gunicorn"])
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/en/submit/", "multipart/form-data; boundary=x"),
        ("/api/v1/submissions", "application/json"),
        ("/en/accessibility/feedback/", "application/x-www-form-urlencoded"),
        ("/admin/login/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_claimed_at_300_mb_is_answered_413_without_being_sent(stack, where, path, content_type):
    with stack.at_nginx() if where == "nginx" else stack.at_gunicorn() as sock:
        sock.sendall(claim(path, 300 * 1024 * 1024, content_type))
        # No byte of the body is sent: the answer can only come from the headers.
        assert status_of(sock) == 413


def _send_chunked(sock: socket.socket, head: bytes, total: int) -> None:
    chunk = b"x" * 65536
    try:
        sock.sendall(head)
        sent = 0
        while sent < total:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server stopped reading: what this test wants


@pytest.mark.parametrize(
    ("where", "path", "total"),
    [
        ("nginx", "/en/submit/", 40 * 1024 * 1024),  # past nginx's client_max_body_size
        ("gunicorn", "/en/accessibility/feedback/", 8 * 1024 * 1024),  # past the app's 2.5 MB for forms
    ],
)
def test_a_chunked_body_is_cut_off_at_the_limit(stack, where, path, total):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with stack.at_nginx() if where == "nginx" else stack.at_gunicorn() as sock:
        sender = threading.Thread(target=_send_chunked, args=(sock, head, total))
        sender.start()
        try:
            assert status_of(sock) == 413
        finally:
            sock.shutdown(socket.SHUT_RDWR)
            sender.join()


def test_the_served_pages_answer_through_nginx(stack):
    for path, expected in (("/healthz", 200), ("/en/", 200), ("/api/v1/cases", 200)):
        with stack.at_nginx() as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            assert status_of(sock) == expected, path
