"""Benchmark the read API and the reader pages in-process: latency percentiles, throughput and queries
per request, without any HTTP cache in front (the reader's page as gunicorn renders it).

Runs against a fresh database with the demo manual: SQLite in a temporary folder by default, the
database in DATABASE_URL (e.g. under scripts/with-postgres.sh), or the manual kept in ``--data DIR``
(e.g. a copy of a generated 10,000-case database: ``DIR/manual.sqlite3``, as bench/case_data.py makes
it). Usage:

    .venv/bin/python bench/api_reads.py [--requests 200]
    .venv/bin/python bench/api_reads.py --data /path/to/copy --requests 100 --reader
    scripts/with-postgres.sh .venv/bin/python bench/api_reads.py

``--reader`` adds the reader pages (home, a chapter, a case, the case list, filtered, and the search
page twice: one query repeated, and a search never made before on each request, two words of the
generated cases' vocabulary). Without SEARCH_URL the search page runs on the database driver; under
``scripts/with-search-engine.sh`` add ``--index`` to index the pages into that engine first
(``manage.py search_index rebuild``). ``--only api|reader`` measures one group. Besides the
wall-clock percentiles it prints the CPU time of this process per request (``cpu``,
``time.process_time``: SQLite runs in it too), which other processes on a loaded
machine disturb much less. ``--profile N`` prints, for each route, cProfile's top N functions
(cumulative time) over its requests instead of the timings, and the queries of one request.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import prepare  # noqa: E402

VAR = prepare("api-reads")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.case_data import WORDS  # noqa: E402 - imports the models
from manual.models import CaseStudyPage, ManualSectionPage  # noqa: E402

API_ROUTES = [
    "/api/v1/cases?locale=en&page_size=1",
    "/api/v1/cases?page_size=50",
    "/api/v1/cases?locale=ru&page_size=50",
    "/api/v1/cases?locale=ru&topic=budget&topic=transparency&government_level=local",
    "/api/v1/cases?locale=ru&page_size=50&ordering=-start_year&fields=title,thumbnail,coordinates",
    "/api/v1/cases/{case_id}?locale=ru",
    "/api/v1/cases/{case_id}",
    "/api/v1/sections?locale=ru",
    "/api/v1/pages?locale=ru&page_size=50",
    "/api/v1/taxonomies/topics?locale=ru",
]
READER_ROUTES = [
    "/en/",
    "/ru/",
    "{section_url}",
    "{case_url}",
    "/en/cases/",
    "/ru/cases/?topic=budget&government_level=local",
    "/en/search/?q=budget",
    "/en/search/?q={new_search}",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per route")
    parser.add_argument("--data", help="VAR_DIR: a folder whose manual.sqlite3 holds the manual (reused)")
    parser.add_argument("--reader", action="store_true", help="also the reader pages")
    parser.add_argument("--only", choices=["api", "reader"], help="only one group of routes")
    parser.add_argument("--profile", type=int, metavar="N", help="print cProfile's top N functions per route")
    parser.add_argument("--index", action="store_true", help="index the pages into SEARCH_URL's engine first")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    # Production's static storage (hashed names from the manifest), as gunicorn serves the pages.
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    if not CaseStudyPage.objects.exists():
        call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115

    if args.index:
        if not settings.SEARCH_URL:
            parser.error("--index needs SEARCH_URL (scripts/with-search-engine.sh)")
        call_command("search_index", "rebuild", verbosity=0)

    en_cases = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)
    case = en_cases.order_by("pk").first()
    section = ManualSectionPage.objects.live().filter(locale__language_code="en", depth=3).order_by("path").first()
    values = {"case_id": case.pk, "case_url": case.url, "section_url": section.url}
    routes = [] if args.only == "reader" else list(API_ROUTES)
    if args.reader or args.only == "reader":
        routes += READER_ROUTES
    client = Client()
    cases = CaseStudyPage.objects.count()
    print(f"database: {connection.vendor}, {cases} case pages; {args.requests} requests per route, in-process")
    columns = ("queries", "p50 ms", "p95 ms", "p99 ms", "req/s", "cpu p50", "cpu p95")
    print(f"{'route':<82} " + " ".join(f"{column:>7}" for column in columns))
    searches = new_searches()
    for route in routes:
        url = route.format(**values, new_search=next(searches))
        client.get(url)  # warm caches like a running server
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(url)
        if args.profile:
            profile(client, url, args.requests, args.profile, queries)
            continue
        timings = []
        cpu_times = []
        started = time.perf_counter()
        for _ in range(args.requests):
            if "{new_search}" in route:
                url = route.format(**values, new_search=next(searches))
            t0 = time.perf_counter()
            c0 = time.process_time()
            response = client.get(url)
            cpu_times.append((time.process_time() - c0) * 1000)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        elapsed = time.perf_counter() - started
        q = statistics.quantiles(timings, n=100)
        cpu = statistics.quantiles(cpu_times, n=100)
        print(
            f"{url:<82} {len(queries):>7} {q[49]:>7.1f} {q[94]:>7.1f} {q[98]:>7.1f} {args.requests / elapsed:>7.0f}"
            f" {cpu[49]:>7.1f} {cpu[94]:>7.1f}"
        )


def new_searches():
    """Two-word searches in the generated cases' English (bench/case_data.py), each made once."""
    words = sorted(set(WORDS["en"]))
    rng = random.Random(11)
    pairs = [(first, second) for first in words for second in words if first != second]
    rng.shuffle(pairs)
    return iter(f"{first}+{second}" for first, second in pairs)


def profile(client: Client, url: str, requests: int, top: int, queries: list[str]) -> None:
    """cProfile's top ``top`` functions over ``requests`` requests of ``url``, and one request's queries."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    print(f"\n=== {url}: {len(queries)} queries")
    for sql in queries:
        print("   ", sql[:200])
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
