"""Benchmark the read API in-process: latency percentiles, throughput and queries per request.

Runs against a fresh database with the demo manual: SQLite in a temporary folder by default, or
the database in DATABASE_URL (e.g. under scripts/with-postgres.sh). Usage:

    .venv/bin/python bench/api_reads.py [--requests 200]
    scripts/with-postgres.sh .venv/bin/python bench/api_reads.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="manual-bench-"))
os.environ.setdefault("SECRET_KEY", "bench-only-key-T4c9QwZr2LmX8vNp0sKd7HyBf3JgEu6Ra1Vo5Ci")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("STATIC_ROOT", os.path.join(os.environ["VAR_DIR"], "static"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from manual.models import CaseStudyPage  # noqa: E402

ROUTES = [
    "/api/v1/cases?locale=en&page_size=1",
    "/api/v1/cases?locale=ru&page_size=50",
    "/api/v1/cases?locale=ru&topic=budget&topic=transparency&government_level=local",
    "/api/v1/cases?locale=ru&page_size=50&ordering=-start_year&fields=title,thumbnail,coordinates",
    "/api/v1/cases/{case_id}?locale=ru",
    "/api/v1/sections?locale=ru",
    "/api/v1/pages?locale=ru&page_size=50",
    "/api/v1/taxonomies/topics?locale=ru",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per route")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115

    case_id = CaseStudyPage.objects.filter(locale__language_code="en").values_list("pk", flat=True).first()
    client = Client()
    print(f"database: {connection.vendor}; {args.requests} requests per route, in-process (no network)")
    print(f"{'route':<82} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7}")
    for route in ROUTES:
        url = route.format(case_id=case_id)
        client.get(url)  # warm caches like a running server
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(url)
        timings = []
        started = time.perf_counter()
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        elapsed = time.perf_counter() - started
        q = statistics.quantiles(timings, n=100)
        print(f"{url:<82} {len(queries):>7} {q[49]:>7.1f} {q[94]:>7.1f} {q[98]:>7.1f} {args.requests / elapsed:>7.0f}")


if __name__ == "__main__":
    main()
