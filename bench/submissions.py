"""Submission intake benchmark (prints figures; not a test): the JSON POST without files through gunicorn.

    .venv/bin/python bench/submissions.py [--seconds 20] [--threads 4] [--workers 2]
    scripts/with-postgres.sh .venv/bin/python bench/submissions.py     # on PostgreSQL

Runs against a fresh database with the demo manual (SQLite in a temporary folder by default, or
DATABASE_URL) with the rate limit lifted (SUBMISSIONS_RATE_LIMIT=0, docs/submissions.md). Every
request is a new case (a distinct title and Idempotency-Key), built from docs/import-sample.json.

Two configurations, because they answer different questions:
- tasks "immediate" (the embedded default of `make run`): the conversion into a draft page and
  the start of the review workflow run inside the request, after the commit;
- tasks "database" (production: django-tasks-db and `manage.py db_worker`): the request stores the
  submission and enqueues the conversion; the worker is not running here, so this is intake alone.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.mkdtemp(prefix="manual-bench-submissions-"))
os.environ.setdefault("VAR_DIR", str(VAR))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
os.environ.setdefault("STATIC_ROOT", str(VAR / "static"))
os.environ["SUBMISSIONS_RATE_LIMIT"] = "0"
os.environ["SEARCH_URL"] = ""  # the database search driver: this measures intake, not the engine

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import loadgen  # noqa: E402
from submissions.models import Submission  # noqa: E402

SAMPLE = ROOT / "docs" / "import-sample.json"


def submission_requests(run: str):
    """The i-th request: the sample case under a new title, without files, with its own key."""
    base = json.loads(SAMPLE.read_text())[0]
    for key in ("external_id", "translation_of", "attachments", "hero_attachment"):
        base.pop(key, None)
    base["contact"] = {"name": "Bench Submitter", "email": "bench@example.org"}
    base["consent"] = {"terms": True, "publish_contact": False}

    def request(i: int) -> loadgen.Request:
        document = dict(base, title=f"{base['title']} ({run} {i})")
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        return "POST", "/api/v1/submissions", json.dumps(document).encode(), headers

    return request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"database: {connection.vendor}; POST /api/v1/submissions (JSON, no files) through gunicorn")
    print(f"({args.workers} workers) on loopback, rate limit off, {args.seconds:.0f} s per line:")
    for backend in ("immediate", "database"):
        with loadgen.gunicorn(args.workers, TASKS_BACKEND=backend, SUBMISSIONS_RATE_LIMIT="0") as port:
            loadgen.load(port, submission_requests(f"warm-{backend}"), 3, 1, ok=(201,))
            for clients in (1, args.threads):
                before = Submission.objects.count()
                timings, errors = loadgen.load(
                    port, submission_requests(f"{backend}-{clients}"), args.seconds, clients, ok=(201,)
                )
                name = f"tasks {backend}, {clients} client(s)"
                loadgen.figures(name, timings, args.seconds, errors)
                stored = Submission.objects.count() - before
                print(f"{'':<34} stored {stored} submissions for {len(timings) - errors} answers 201")


if __name__ == "__main__":
    main()
