"""Search benchmark (prints figures; not a test). Needs a search engine:

    scripts/with-search-engine.sh .venv/bin/python bench/search.py [--cases 10000] [--seconds 20]
        [--data DIR]

Generates N case studies per locale (en, ru) with realistic text and taxonomy spread in a fresh
SQLite database (or DATABASE_URL; with --data DIR the SQLite database in DIR, generated on the
first run and reused after), rebuilds the index (documents per second), serves the service with
gunicorn on loopback and measures /api/v1/search (text + facets + 20 hits) two ways: 50 searches
repeated (answered from the answer cache once seen) and every search new (always the engine),
against the stock Wagtail path on the same data and engine and against a constant-response route
(this machine's ceiling), after --warmup seconds of unmeasured searches; then the engine's own
time (`took`) of --took more new searches, one at a time, and the publish-to-searchable latency
(an editor's publication in its own process with the database task queue and one db_worker, as
in production: the publication's time, then the time from its commit until search finds it).
With --took-shares, the same new searches are also sent without one part of the request each
(highlights, aggregations, ...), in a random order per search, to tell where their `took` goes.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("SEARCH_URL"):
    sys.exit("bench/search.py needs SEARCH_URL: run it through scripts/with-search-engine.sh")
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("search")
os.environ.setdefault("SEARCH_INDEX_PREFIX", f"bench{os.getpid()}")
os.environ.setdefault("SEARCH_TIMEOUT_MS", "5000")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bench import loadgen  # noqa: E402
from bench.case_data import WORDS, ensure_cases  # noqa: E402
from search import services  # noqa: E402
from search.drivers import dsl  # noqa: E402
from search.mapping import FOLDED  # noqa: E402
from search.query import build_query  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="search benchmark")
    parser.add_argument("--cases", type=int, default=10_000, help="cases per locale")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    parser.add_argument("--warmup", type=float, default=60, help="seconds of unmeasured searches first")
    parser.add_argument("--took", type=int, default=300, help="new searches whose engine `took` is reported")
    parser.add_argument(
        "--took-shares", action="store_true", help="also send each of those searches without one part at a time"
    )
    args = parser.parse_args()

    ensure_cases(args.cases, VAR)

    t0 = time.perf_counter()
    written = services.rebuild()  # search_index rebuild
    elapsed = time.perf_counter() - t0
    total = sum(written.values())
    rate = total / elapsed
    print(f"rebuild (database + engine index, both locales): {total} documents in {elapsed:.1f} s = {rate:.0f} docs/s")
    t0 = time.perf_counter()
    services.rebuild(engine_only=True)  # search_index rebuild --engine-only
    elapsed = time.perf_counter() - t0
    print(
        f"engine-only rebuild from the database index (bulk + alias swap): {total} documents in {elapsed:.1f} s"
        f" = {total / elapsed:.0f} docs/s"
    )
    t0 = time.perf_counter()
    call_command("wagtail_update_index", verbosity=0)
    print(f"stock path index (wagtail_update_index): {time.perf_counter() - t0:.1f} s")

    with loadgen.gunicorn(args.workers, DJANGO_SETTINGS_MODULE="bench.settings") as port:
        rng = random.Random(7)
        searches, stock = [], []
        for _ in range(50):
            words = " ".join(rng.sample(WORDS["en"], 2))
            params = {"q": words, "locale": "en", "page_size": 20}
            params.update(government_level=rng.choice(["local", "regional"]), topic=rng.choice(["budget", "health"]))
            searches.append("/api/v1/search?" + urlencode(params))
            stock.append("/bench/stock?" + urlencode({"q": words, "locale": "en"}))
        fresh = _fresh_searches(random.Random(11), "en")
        for paths in (searches, stock, ["/bench/constant"]):
            loadgen.load(port, loadgen.get(paths), 10, args.threads)  # warm up the JVM's and Python's caches
        # A node fresh from bulk loading is still compiling (JIT) and merging segments on these
        # cores for minutes: warm it with distinct Russian searches (never measured) first, as a
        # node that has been serving would be.
        loadgen.load(port, loadgen.get(_fresh_searches(random.Random(13), "ru")), args.warmup, args.threads)
        # Latency with one client at a time, then throughput with --threads clients.
        for clients in (1, args.threads):
            print(f"\nthrough gunicorn ({args.workers} workers) on loopback, {clients} client thread(s),", end=" ")
            print(f"{args.seconds:.0f} s each:")
            run_args = argparse.Namespace(seconds=args.seconds, threads=clients)
            ours = loadgen.figures("ours, 50 searches repeated", *_run(port, searches, run_args))
            # Each request a search never seen before: the answer cache and the engine's request
            # cache cannot help; what a long tail of distinct searches costs.
            new = loadgen.figures("ours, every search new", *_run_once(port, fresh, run_args))
            # The stock path: see STOCK_FACETS in bench/urls.py.
            theirs = loadgen.figures("stock .search() + .facet() each", *_run(port, stock, run_args))
            ceiling = loadgen.figures("constant response", *_run(port, ["/bench/constant"], run_args))
            print(
                f"ratios: stock p95 / ours p95 = {theirs['p95'] / ours['p95']:.1f}x repeated, "
                f"{theirs['p95'] / new['p95']:.1f}x new; "
                f"ours throughput / ceiling = {ours['rps'] / ceiling['rps']:.2f} repeated, "
                f"{new['rps'] / ceiling['rps']:.2f} new"
            )
        _engine_took(fresh[-args.took :], args.took_shares)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", stock[0])
        stock_answer = json.loads(conn.getresponse().read())
        print(f"stock path computed facets: {', '.join(stock_answer['facets']) or 'none'}")
        for name, reason in stock_answer["cannot"].items():
            print(f"stock path cannot compute facet {name!r}: {reason}")
        print(f"publish-to-searchable: {_publish_to_searchable(port)}")


def _run(port: int, paths: list[str], args) -> tuple[list[float], float, int]:
    timings, errors = loadgen.load(port, loadgen.get(paths), args.seconds, args.threads)
    return timings, args.seconds, errors


def _fresh_searches(rng: random.Random, language: str) -> list[str]:
    """Distinct searches in ``language`` (two words, two facet filters, a page), shuffled."""
    combinations = [
        (pair, level, topic, page)
        for pair in itertools.combinations(WORDS[language], 2)
        for level in ("local", "regional")
        for topic in ("budget", "health")
        for page in (1, 2, 3)
    ]
    rng.shuffle(combinations)
    return [
        "/api/v1/search?" + urlencode(
            {"q": " ".join(pair), "locale": language, "page_size": 20, "government_level": level, "topic": topic,
             "page": page}
        )
        for pair, level, topic, page in combinations
    ]  # fmt: skip


_fresh_taken = itertools.count()


def _run_once(port: int, paths: list[str], args) -> tuple[list[float], float, int]:
    """Like _run, but no path is requested twice in the whole benchmark."""

    def next_request(_i: int) -> loadgen.Request:
        taken = next(_fresh_taken)
        if taken >= len(paths):
            raise RuntimeError("bench/search.py ran out of distinct searches: use fewer --seconds")
        return ("GET", paths[taken], None, {})

    timings, errors = loadgen.load(port, next_request, args.seconds, args.threads)
    return timings, args.seconds, errors


def _engine_took(paths: list[str], shares: bool) -> None:
    """The engine's own time (``took``) of searches never made before, one at a time, in-process.

    ``took`` counts only the engine's work (query, aggregations, fetch, highlighting), not its HTTP
    layer, Python or the load generator: the figure least moved by other jobs on the machine.
    With ``shares``, each search is also sent without one part (``_WITHOUT``), the variants in a
    random order per search: each variant's total `took` over the whole request's, measured under
    the same load, is what that part leaves.
    """
    engine = services.engine_driver()
    if engine is None:
        raise SystemExit("the engine is unreachable or SEARCH_URL is unset: no took to measure")
    variants = {"whole request": dict, **(_WITHOUT if shares else {})}
    took: dict[str, list[int]] = {name: [] for name in variants}
    rng = random.Random(17)
    for path in paths:
        params = parse_qs(urlsplit(path).query)
        query = build_query(
            q=params["q"][0], locale=params["locale"][0], year_from=None, year_to=None, sort=None, fallback=False,
            filters={key: params[key] for key in ("government_level", "topic")},
            page=int(params["page"][0]), page_size=int(params["page_size"][0]),
        )  # fmt: skip
        for name in rng.sample(list(variants), len(variants)):
            body = variants[name](dsl.search_body(query))
            took[name].append(engine.client.search(engine.alias(query.locale), body)["took"])
    q = statistics.quantiles(took["whole request"], n=100)
    print(f"\nengine took of {len(paths)} new searches, one at a time: p50 {q[49]:.0f} ms  p95 {q[94]:.0f} ms")
    for name, times in took.items():
        if name != "whole request":
            print(f"  {name}: {sum(times) / sum(took['whole request']):.2f} of the whole request's took")


def _without(*keys: str, **changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A search body without ``keys`` (a dotted key drops a highlighted field), with ``changes``."""

    def change(body: dict[str, Any]) -> dict[str, Any]:
        for key in keys:
            if key.startswith("highlight."):
                body["highlight"]["fields"].pop(key.removeprefix("highlight."))
            else:
                body.pop(key)
        return body | changes

    return change


# The parts of a new search's request whose cost --took-shares measures.
_WITHOUT = {
    "without the body's highlight": _without(f"highlight.body.{FOLDED}"),
    "without highlights": _without("highlight"),
    "without facet aggregations": _without("aggs"),
    "without highlights and aggregations": _without("highlight", "aggs"),
    "count only (no hits, highlights or aggregations)": _without("highlight", "aggs", size=0),
}


# An editor's publication as in production: its side effects queued (TASKS_BACKEND=database) for
# the worker, the page built like the bench's other cases. Prints the word to search and the time
# the publication committed (after publish() returned).
PUBLISH = """
import json, random, time
from manual.models import CaseStudyIndexPage, CaseStudyPage
index = CaseStudyIndexPage.objects.get(locale__language_code="en")
template = CaseStudyPage.objects.filter(locale__language_code="en").first()
word = f"qwzx{random.randint(1000, 9999)}"
page = CaseStudyPage(
    title=f"Fresh case {word}", slug=f"fresh-{word}", summary="Fresh.", organisation="Bench", country="FR",
    government_level=template.government_level, participation_level=template.participation_level,
    start_year=2024, initiative_status="ongoing", context="<p>x</p>", objectives="<p>x</p>",
    approach="<p>x</p>", results="<p>x</p>",
)
index.add_child(instance=page)
started = time.time()
page.save_revision().publish()
print(json.dumps({"word": word, "started": started, "committed": time.time()}))
"""


def _publish_to_searchable(port: int) -> str:
    """An editor publishes a case in one process while one ``db_worker`` serves the task queue, as in
    production: how long the publication took, and how long after its commit gunicorn's search
    finds the case (the worker takes the index update first: core/task_priorities.py)."""
    env = dict(os.environ, TASKS_BACKEND="database")
    manage = [sys.executable, str(ROOT / "manage.py")]
    log = VAR / "bench-worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(  # noqa: S603
            [*manage, "db_worker", "--no-reload", "--interval", "0.1"],
            cwd=ROOT, env=dict(env, LOG_LEVEL="INFO"), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # A worker that has been running: its start (Django, imports) is not the publication's.
        for _ in range(600):
            if "Starting worker" in log.read_text() or worker.poll() is not None:
                break
            time.sleep(0.1)
        done = subprocess.run(  # noqa: S603
            [*manage, "shell", "-c", PUBLISH], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        published = json.loads(done.stdout.strip().splitlines()[-1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() - published["committed"] < 60:
            conn.request("GET", "/api/v1/search?" + urlencode({"q": published["word"], "locale": "en"}))
            if json.loads(conn.getresponse().read())["count"]:
                searchable = (time.time() - published["committed"]) * 1000
                break
            time.sleep(0.01)
        else:
            searchable = float("inf")
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    took = (published["committed"] - published["started"]) * 1000
    return f"publish {took:.0f} ms, then searchable {searchable:.0f} ms after its commit (one db_worker)"


if __name__ == "__main__":
    main()
