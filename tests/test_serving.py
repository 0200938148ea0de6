"""The served stack of `make run` (scripts/run.sh: Apache -> nginx -> gunicorn) under slow and big clients.

Uses the real stack of the run (tests/support/serving.py: SQLite in an empty VAR_DIR, demo content,
free loopback port, Varnish between nginx and gunicorn as tests/test_http_cache.py needs) and runs
a smaller version of bench/slow_clients.py against it, a body dripped faster than any stall timeout
and an honest slow upload, then raw-socket requests that claim or send oversize bodies, both at the
front and straight at gunicorn's unix socket (the app's own limits, as in a deployment without the
proxies). Figures (p95) are the bench's business; this asserts behaviour.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid

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


def _drip_post(
    stack: serving.ServedStack, body: bytes, piece: int, interval: float, source: str
) -> tuple[int, float, int, bytes]:
    """POST ``body`` to the submissions API, ``piece`` bytes every ``interval`` s, from ``source``, until
    the server answers or closes. Returns (status or 0 for a close, seconds, bytes sent, answer)."""
    head = (
        "POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((stack.host, stack.port), timeout=interval, source_address=(source, 0)) as sock:
        started = time.monotonic()
        sock.sendall(head)
        sent = 0
        while True:
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                if sent < len(body):
                    sock.sendall(body[sent : sent + piece])
                    sent += min(piece, len(body) - sent)
                elif time.monotonic() - started > 120:
                    raise AssertionError("no answer 120 s after the whole body was sent") from None
                continue
            except ConnectionResetError:
                return 0, time.monotonic() - started, sent, b""
            elapsed = time.monotonic() - started
            if not answer:
                return 0, elapsed, sent, b""
            sock.settimeout(10)
            while chunk := sock.recv(65536):
                answer += chunk
            return int(answer.split(b" ", 2)[1]), elapsed, sent, answer


def test_a_body_dripped_faster_than_any_stall_timeout_is_closed_within_a_bounded_time(stack):
    """One byte every 2 s never stalls 3 s (nginx's timeout would never fire); Apache's minimum rate
    (serving.MIN_RATE bytes a second after a grace of twice CLIENT_TIMEOUT) ends it all the same."""
    body = b'{"title": "' + b"x" * 4000 + b'"}'
    status, seconds, sent, answer = _drip_post(stack, body, 1, 2.0, "127.0.0.3")
    grace = 2 * CLIENT_TIMEOUT
    assert status in {408, 0}, answer[:300]
    assert sent < len(body), "closed before the body was complete"
    assert seconds <= grace + 2 + 1, f"closed after {seconds:.1f} s"
    if status:
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert b"application/json" in head.lower(), head
        assert json.loads(payload)["errors"][0]["code"] == "request_timeout"


def test_an_upload_at_a_modest_rate_reaches_the_app_whole(stack):
    """16 KB at 2 KB/s (4 times the minimum rate, over 8 s: longer than every initial timeout): the app
    reads the whole JSON and judges its fields (400 naming them), no 408 and no close."""
    body = json.dumps({"title": "x" * 16000}).encode()
    status, seconds, sent, answer = _drip_post(stack, body, 1024, 0.5, "127.0.0.4")
    assert sent == len(body)
    assert seconds > 2 * CLIENT_TIMEOUT, "slower than the body's grace: the minimum rate decided"
    assert status == 400, answer[:300]
    errors = json.loads(answer.partition(b"\r\n\r\n")[2])["errors"]
    assert {error["field"] for error in errors} >= {"summary"}, errors


def test_the_front_logs_no_token_of_a_request_it_answers_or_times_out(stack):
    """Apache keeps no access log and its error log names no query string (docs/operations.md "Logs"): a
    status link's token, read, timed out in the headers or mid-body and refused at 413, is in no log."""
    secret = "frontsecret" + uuid.uuid4().hex
    stack.get(f"/en/submit/status/{uuid.uuid4()}/?token={secret}", source="127.0.0.5")
    with stack.at_front() as sock:
        sock.sendall(f"GET /en/submit/status/{uuid.uuid4()}/?token={secret} HTTP/1.1\r\nHost: x\r\n".encode())
        assert status_of(sock) == 408  # the headers' grace ran out
    with stack.at_front() as sock:
        sock.sendall(claim(f"/api/v1/submissions?token={secret}", 300 * 1024 * 1024, "application/json"))
        assert status_of(sock) == 413
    with stack.at_front() as sock:
        sock.sendall(claim(f"/api/v1/submissions?token={secret}", 4096, "application/json") + b"{")
        assert status_of(sock) == 408  # the body's grace ran out
    assert stack.log.exists()
    assert secret not in stack.log.read_text(errors="replace")


@pytest.mark.parametrize("where", ["front", "gunicorn"])
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
    with stack.at_front() if where == "front" else stack.at_gunicorn() as sock:
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
        ("front", "/en/submit/", 40 * 1024 * 1024),  # past nginx's client_max_body_size, behind Apache
        ("gunicorn", "/en/accessibility/feedback/", 8 * 1024 * 1024),  # past the app's 2.5 MB for forms
    ],
)
def test_a_chunked_body_is_cut_off_at_the_limit(stack, where, path, total):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with stack.at_front() if where == "front" else stack.at_gunicorn() as sock:
        sender = threading.Thread(target=_send_chunked, args=(sock, head, total))
        sender.start()
        try:
            assert status_of(sock) == 413
        finally:
            sock.shutdown(socket.SHUT_RDWR)
            sender.join()


def _whole_answer(sock: socket.socket) -> tuple[bytes, dict]:
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), head
    return head, json.loads(payload)


def test_apache_answers_its_own_errors_on_the_api_in_the_json_shape(stack):
    with stack.at_front() as sock:
        sock.sendall(claim("/api/v1/submissions", 300 * 1024 * 1024, "application/json"))
        head, body = _whole_answer(sock)
    assert head.startswith(b"HTTP/1.1 413"), head
    assert body["errors"][0]["code"] == "request_too_large"


def test_nginx_answers_its_own_errors_on_the_api_in_the_json_shape(stack):
    """A chunked body is cut by nginx (Apache streams it on): its 413 is JSON on /api/ too."""
    head = (
        b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    with stack.at_front() as sock:
        sender = threading.Thread(target=_send_chunked, args=(sock, head, 40 * 1024 * 1024))
        sender.start()
        try:
            answer_head, body = _whole_answer(sock)
        finally:
            sock.shutdown(socket.SHUT_RDWR)
            sender.join()
    assert answer_head.startswith(b"HTTP/1.1 413"), answer_head
    assert body["errors"][0]["code"] == "request_too_large"


def test_the_served_pages_answer_through_the_front(stack):
    for path, expected in (("/healthz", 200), ("/en/", 200), ("/api/v1/cases", 200)):
        with stack.at_front() as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            assert status_of(sock) == expected, path
