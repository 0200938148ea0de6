"""No secret token of a URL reaches a log line (site_config.redaction, docs/operations.md "Threats and limits").

The status token (``?token=`` of the status API and page), the edit token of "changes requested"
and the headless preview token are bearer secrets: whoever reads them in a log can read or change
a submission, or see an unpublished draft.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from gunicorn.config import Config

import site_config.settings as production
from site_config.gunicorn_logging import RedactingLogger
from site_config.logging import JsonFormatter
from site_config.redaction import MARK, RedactFilter, redact
from tests.support.submissions import post_json, valid_payload

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /api/v1/submissions/1?token=abc-DEF_1 HTTP/1.1", f"GET /api/v1/submissions/1?token={MARK} HTTP/1.1"),
        ("token=abc&locale=en", f"token={MARK}&locale=en"),
        ("/en/submit/1/edit/?x=1&TOKEN=a1#top", f"/en/submit/1/edit/?x=1&TOKEN={MARK}#top"),
        (
            "/api/preview?content_type=manual.casestudypage&token=id%3D5%3A1uX%3Asig",
            f"/api/preview?content_type=manual.casestudypage&token={MARK}",
        ),
        ("/admin/login/?next=/x%3Ftoken%3Dabc%26y%3D1", f"/admin/login/?next=/x%3Ftoken%3D{MARK}%26y%3D1"),
        (
            '{"request": "<WSGIRequest: GET \'/s?token=abc\'>"}',
            f'{{"request": "<WSGIRequest: GET \'/s?token={MARK}\'>"}}',
        ),
        ("/admin/password_reset/confirm/MQ/abc-123/", f"/admin/password_reset/confirm/MQ/{MARK}/"),
        ("/admin/password_reset/confirm/MQ/set-password/", "/admin/password_reset/confirm/MQ/set-password/"),
        # Look-alikes are not secrets: the CSRF cookie's name, a "tokens" parameter, the word alone.
        ("csrftoken=abc; tokens=3; a token", "csrftoken=abc; tokens=3; a token"),
    ],
)
def test_redact_hides_the_value_of_secret_parameters_only(text, expected):
    assert redact(text) == expected


def _app_log() -> tuple[logging.Handler, io.StringIO]:
    """A handler like settings.LOGGING's console handler: JSON lines through the redaction filter."""
    console = production.LOGGING["handlers"]["console"]
    assert console["filters"] == ["redact"] and production.LOGGING["filters"]["redact"]["()"].endswith("RedactFilter")
    assert django_settings.DEFAULT_EXCEPTION_REPORTER_FILTER.endswith("RedactingExceptionReporterFilter")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    return handler, stream


@pytest.mark.django_db
def test_a_crash_on_a_tokened_url_logs_and_reports_no_token(client, settings):
    """Django's "Internal Server Error" line carries the request (its repr is the full URL) and a traceback."""
    response = post_json(client, valid_payload())
    status_url = response.json()["status_url"]
    token = status_url.rsplit("token=", 1)[1]
    path = f"/en/submit/status/{response.json()['id']}/?token={token}"
    handler, stream = _app_log()
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    settings.DEBUG = True  # the debug page shows GET, META and every frame's variables
    crash = RuntimeError(f"failed on {path}")
    try:
        with mock.patch("submissions.views.status.find_for_token", side_effect=crash):
            answer = Client(raise_request_exception=False).get(path, HTTP_REFERER=f"https://x.example{path}")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert answer.status_code == 500
    page = answer.content.decode()
    log = stream.getvalue()
    assert "Internal Server Error" in log and "RuntimeError" in log
    assert token not in log and MARK in log
    assert "RuntimeError" in page and token not in page and MARK in page


@pytest.mark.django_db
def test_the_gunicorn_error_log_redacts_messages_and_tracebacks(tmp_path):
    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = RedactingLogger(config)
    try:
        raise ValueError("bad /api/preview?token=secret-preview-1")
    except ValueError:
        logger.exception("Error handling request %s", "/api/v1/submissions/1?token=secret-status-1")
    for handler in logger.error_log.handlers:
        handler.flush()
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request" in text and "ValueError" in text
    assert "secret-" not in text and MARK in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    method = "POST" if data else "GET"
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


SETUP = """
import json, sys
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("load_demo_manual", verbosity=0)
"""

# After the submission: send it back for changes with an edit token the test knows (the real one
# only travels by e-mail, stored as a hash), and preview its draft as an external front end would.
SEND_BACK = """
import json, os
from submissions.models import Submission
from submissions.services import review
from submissions.services.idempotency import sha256
submission = Submission.objects.get(pk=os.environ["LOG_TEST_SUBMISSION"])
review.request_changes(submission, "Please add the year.", None)
submission.refresh_from_db()
submission.edit_token_hash = sha256(os.environ["LOG_TEST_EDIT_TOKEN"])
submission.save(update_fields=["edit_token_hash"])
page = submission.page.specific
preview = page.create_page_preview()
print("PREVIEW " + json.dumps({"token": preview.token, "content_type": page.get_content_type_str()}))
"""


def test_a_submission_status_edit_and_preview_round_through_gunicorn_logs_no_token(tmp_path):
    """The real server: gunicorn with site_config/gunicorn.conf.py, production settings, SQLite."""
    port = _free_port()
    (tmp_path / "var").mkdir()
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="gunicorn-log-test-" + "Qx7vLp2mZr9tKw4n" * 3,
        DEBUG="0",
        SECURE_HTTPS="0",
        PORT=str(port),
        HOST="127.0.0.1",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG=str(tmp_path / "access.log"),
        GUNICORN_ERROR_LOG=str(tmp_path / "error.log"),
        LOG_LEVEL="DEBUG",
        SUBMISSIONS_RATE_LIMIT="0",
        HEADLESS_PREVIEW_CLIENT_URL="http://front.localhost",
    )
    python = [sys.executable, "manage.py", "shell", "-c"]
    setup = subprocess.run([*python, SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert setup.returncode == 0, setup.stderr[-3000:]
    with open(tmp_path / "stdout", "w") as stdout, open(tmp_path / "stderr", "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "site_config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            submission_id, status_token, edit_token, preview = _round_trip(f"http://127.0.0.1:{port}", env, tmp_path)
        finally:
            server.terminate()
            server.wait(timeout=60)
    access = (tmp_path / "access.log").read_text()
    logs = {
        "access log": access,
        "error log": (tmp_path / "error.log").read_text(),
        "app log (stderr)": (tmp_path / "stderr").read_text(),
    }
    assert f"/api/v1/submissions/{submission_id}?token={MARK}" in access
    assert f"/en/submit/{submission_id}/edit/?token={MARK}" in access
    assert "/api/preview?content_type=" in access and f"token={MARK}" in access
    assert '"path": "/en/submit/' in logs["app log (stderr)"], "the app's request log was captured"
    for name, text in logs.items():
        for secret in (status_token, edit_token, preview["token"], urllib.parse.quote(preview["token"], safe="")):
            assert secret not in text, f"{name} holds a token"


def _round_trip(base: str, env: dict[str, str], tmp_path: Path) -> tuple[str, str, str, dict[str, str]]:
    """Submit, read the status (API and page), edit after "changes requested", preview the draft."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if _request(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail("gunicorn did not start: " + (tmp_path / "stderr").read_text()[-3000:])

    status, body = _request(
        f"{base}/api/v1/submissions", json.dumps(valid_payload()).encode(), {"Content-Type": "application/json"}
    )
    assert status == 201, body
    answer = json.loads(body)
    submission_id, status_token = answer["id"], answer["status_url"].rsplit("token=", 1)[1]
    referer = {"Referer": f"{base}/en/submit/status/{submission_id}/?token={status_token}"}
    assert _request(f"{base}/api/v1/submissions/{submission_id}?token={status_token}")[0] == 200
    assert _request(f"{base}/en/submit/status/{submission_id}/?token={status_token}", headers=referer)[0] == 200
    assert _request(f"{base}/api/v1/submissions/{submission_id}?token={status_token}x")[0] == 404

    edit_token = "edit-token-for-the-log-test-" + "A1b2C3d4" * 3
    send_back = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEND_BACK],
        cwd=ROOT,
        env={**env, "LOG_TEST_SUBMISSION": submission_id, "LOG_TEST_EDIT_TOKEN": edit_token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert send_back.returncode == 0, send_back.stderr[-3000:]
    preview = json.loads(re.search(r"^PREVIEW (.*)$", send_back.stdout, re.M).group(1))
    assert _request(f"{base}/en/submit/{submission_id}/edit/?token={edit_token}")[0] == 200
    assert _request(f"{base}/en/submit/{submission_id}/edit/?token={edit_token}x")[0] == 404
    query = urllib.parse.urlencode({"content_type": preview["content_type"], "token": preview["token"]})
    assert _request(f"{base}/api/preview?{query}")[0] == 200
    assert _request(f"{base}/api/preview?{query}x")[0] == 404
    return submission_id, status_token, edit_token, preview
