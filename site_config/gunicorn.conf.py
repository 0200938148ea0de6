"""gunicorn configuration; every value can be changed through the environment (README)."""

import multiprocessing
import os

import django
from django.db import connections

# Behind nginx (scripts/serve.sh) gunicorn listens on GUNICORN_BIND, a unix socket only nginx uses.
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Redacts the secret tokens of status, edit and preview links from both logs (site_config.redaction).
logger_class = "site_config.gunicorn_logging.RedactingLogger"
access_log_format = (
    '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(b)s", "duration_us": %(D)s, "agent": "%(a)s"}'
)
wsgi_app = "site_config.wsgi:application"
preload_app = False


def on_starting(server) -> None:
    """Make the Locale rows, locale trees and review workflow follow MANUAL_LOCALES at every start."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
    django.setup()
    # Only now: it imports the models, which need the app registry django.setup() just filled.
    from manual.services.locales import sync_locales  # noqa: PLC0415

    report = sync_locales()
    # The workers are forked from this process: a database connection left open here would be
    # shared by all of them, interleaving their queries on one socket.
    connections.close_all()
    server.log.info("locales in sync: %s", ", ".join(report.locales))
