"""Sitemap benchmark (prints figures; not a test):

    .venv/bin/python bench/sitemap.py [--cases 10000] [--requests 20] [--cold 5] [--data DIR]

Generates N case studies per locale (en, ru; the Russian case N translates the English case N, so
every URL has hreflang alternates) in a fresh SQLite database (or DATABASE_URL; with --data DIR the
SQLite database in DIR, generated on the first run and reused after), times the build of the index
and of one part in-process, then serves the service with gunicorn on loopback and measures, one
client at a time, the index and the first English part: cold (the first request after a change,
which builds the file: --cold times, each after a new generation) and warm (--requests requests
from the cache), as a crawler asks (Accept-Encoding: gzip) and as plain XML.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("sitemap")
os.environ["SEARCH_URL"] = ""  # the sitemap needs no engine; the database driver indexes nothing here
os.environ["DJANGO_SETTINGS_MODULE"] = "site_config.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench import loadgen  # noqa: E402
from bench.case_data import ensure_cases  # noqa: E402
from manual.services import sitemap  # noqa: E402


def timed_get(port: int, path: str, gzipped: bool) -> tuple[float, int]:
    """One request on a new connection: milliseconds to the last byte, and the body's size."""
    headers = {"Accept-Encoding": "gzip"} if gzipped else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}")
    return elapsed, len(body)


def report(name: str, timings: list[float], size: int) -> None:
    if len(timings) > 1:
        q = statistics.quantiles(timings, n=100, method="inclusive")
        p50, p95 = q[49], q[94]
    else:
        p50 = p95 = timings[0]
    print(f"{name:<44} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  ({len(timings)} requests, {size / 1024:,.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description="sitemap benchmark")
    parser.add_argument("--cases", type=int, default=10_000, help="cases per locale")
    parser.add_argument("--requests", type=int, default=20, help="warm requests per file")
    parser.add_argument("--cold", type=int, default=5, help="cold requests per file (each after a change)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    args = parser.parse_args()

    ensure_cases(args.cases, VAR, translated=True)
    listed = sitemap.listed_pages().count()
    print(f"{listed} URLs listed; part size {settings.SITEMAP_PART_SIZE}; database {django.db.connection.vendor}")

    for name, build in (("index", sitemap.build_index), ("part en 1", lambda: sitemap.build_part("en", 1))):
        build()  # once unmeasured: the first call of a process also pays imports and URL resolvers
        t0 = time.perf_counter()
        xml = build()
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        compressed = sitemap.compress(xml)
        print(
            f"build {name:<38} {built * 1000:8.0f} ms + gzip {(time.perf_counter() - t0) * 1000:.0f} ms"
            f"  ({len(xml) / 1024:,.0f} KB, {len(compressed) / 1024:,.0f} KB gzipped)"
        )

    with loadgen.gunicorn(args.workers, DJANGO_SETTINGS_MODULE="site_config.settings") as port:
        print(f"\nthrough gunicorn ({args.workers} workers) on loopback, one client at a time:")
        for path in ("/sitemap.xml", "/sitemap-en.xml"):
            cold, size = [], 0
            for _ in range(args.cold):
                sitemap.pages_changed()  # what a publication does: a new generation, every file stale
                elapsed, size = timed_get(port, path, gzipped=True)
                cold.append(elapsed)
            report(f"{path} cold (builds it), gzip", cold, size)
            for gzipped in (True, False):
                timed_get(port, path, gzipped)  # each worker's connection and code paths warmed
                timed_get(port, path, gzipped)
                warm = []
                for _ in range(args.requests):
                    elapsed, size = timed_get(port, path, gzipped)
                    warm.append(elapsed)
                report(f"{path} warm (cached), {'gzip' if gzipped else 'plain XML'}", warm, size)


if __name__ == "__main__":
    main()
