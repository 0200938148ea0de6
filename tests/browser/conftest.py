"""Browser tests: Playwright drives Debian's Chromium against a live server of the test database.

- Chromium is ``/usr/bin/chromium`` (Debian's ``chromium`` package, installed by
  ``scripts/bootstrap.sh requirements-dev.txt``); no tool ever downloads a browser. axe-core comes
  from npm (``package-lock.json``, ``node_modules/axe-core``). See docs/browser-tests.md.
- When either is missing, the browser tests are skipped with the reason, except under ``CI=true``
  where that is a failure.
- The live server runs in a thread of the test process and shares the test's database connection:
  every test sees the demo manual loaded once for the session (tests/conftest.py) and what the test
  itself creates, and everything is rolled back after the test like any ``db`` test. Requests are
  handled one at a time, since they share that connection.
- Screenshots go to ``var/screenshots/`` (``BROWSER_SCREENSHOTS`` overrides the folder), named
  ``<page-type>-<locale>.png``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _MediaFilesHandler

from tests.support.browser import AXE, CHROMIUM, ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401, PLC0415 - optional: its absence is the skip's reason
    except ImportError:
        return "the Python package playwright is missing (make install-dev installs requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (Debian: apt-get install chromium; make install-dev does it as root)"
    if not AXE.is_file():
        return f"{AXE.relative_to(ROOT)} is missing (npm ci --no-audit --no-fund; make install-dev does it)"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for the browser tests; closed after the last of them."""
    reason = _missing()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 - checked by _missing() above

    expect.set_options(timeout=10_000)

    # Playwright's synchronous API keeps an asyncio loop in the main thread; the ORM calls a test
    # makes between two browser steps are still synchronous.
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with tempfile.TemporaryDirectory(prefix="browser-tests-") as downloads, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                downloads_path=downloads,
            )
            yield browser
            # While Playwright's loop runs, asgiref gives the main thread a separate set of database
            # connections (the one the tests used); close it before the loop stops, or it stays open.
            connections.close_all()
            browser.close()
    finally:
        if unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


# --- the live server ---------------------------------------------------------------------------


class _OneAtATime:
    """A WSGI app that handles one request at a time: they all use the test's database connection."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Closing "old" connections would end the test's transaction; a Django test client
            # request made by the test in between connects the handlers again, so undo it each time.
            signals.request_started.disconnect(close_old_connections)
            signals.request_finished.disconnect(close_old_connections)
            return self.app(environ, start_response)


def _server_thread(connection):
    class Server(ThreadedWSGIServer):
        def _close_connections(self) -> None:
            """The shared connection belongs to the test; it is not closed after a request."""

    class Thread(LiveServerThread):
        def run(self) -> None:
            connections[connection.alias] = connection
            try:
                self.httpd = Server(
                    (self.host, self.port),
                    QuietWSGIRequestHandler,
                    allow_reuse_address=False,
                    connections_override=self.connections_override,
                )
                self.port = self.httpd.server_address[1]
                # Static files from the apps' folders (finders), as in development.
                self.httpd.set_app(_OneAtATime(StaticFilesHandler(_MediaFilesHandler(WSGIHandler()))))
                self.is_ready.set()
                self.httpd.serve_forever()
            except Exception as exc:  # reported by the fixture
                self.error = exc
                self.is_ready.set()

    return Thread("127.0.0.1", static_handler=None, connections_override={connection.alias: connection})


@pytest.fixture
def live_url(db, settings) -> Iterator[str]:
    """The address of a live server that shares this test's database transaction."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    connection = connections[DEFAULT_DB_ALIAS]
    connection.inc_thread_sharing()
    # Closing "old" connections at each request would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    thread = _server_thread(connection)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        connection.dec_thread_sharing()


# --- pages -------------------------------------------------------------------------------------


class Visit:
    """Opens pages of the live server in a fresh browser context per locale; records outside requests."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list = []
        self.external_requests: list[str] = []
        self.server_errors: list[str] = []

    def new_page(self, locale: str = "en"):
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,  # axe-core is injected as a script
            service_workers="block",
        )
        self.contexts.append(context)
        host = urlsplit(self.base_url).netloc

        def route(route) -> None:
            url = urlsplit(route.request.url)
            if url.scheme in {"http", "https"} and url.netloc != host:
                self.external_requests.append(route.request.url)  # pages must not call third parties
                route.abort()
            elif url.path == "/favicon.ico":
                route.fulfill(status=204, body="")
            else:
                route.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(30_000)  # a loaded CI machine is slow, a hung page still fails
        page.on(
            "response",
            lambda response: (
                self.server_errors.append(f"{response.status} {response.url}") if response.status >= 500 else None
            ),
        )
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visit(browser, live_url) -> Iterator[Visit]:
    visit = Visit(browser, live_url)
    yield visit
    visit.close()


@pytest.fixture
def open_page(visit) -> Callable:
    """``open_page(path, locale)``: a fresh page in a context with that locale, at ``path``."""

    def open_page(path: str, locale: str = "en", status: int = 200):
        page = visit.new_page(locale)
        response = page.goto(path)
        assert response is not None and response.status == status, (
            f"GET {path}: {response.status if response else 'no response'}, expected {status}"
        )
        return page

    return open_page
