"""Full search rebuild benchmark (prints figures; not a test):

    .venv/bin/python bench/rebuild.py --data DIR [--cases 10000] [--rounds 2] [--phases]
    scripts/with-search-engine.sh .venv/bin/python bench/rebuild.py --data DIR

``search_index rebuild`` (``search.services.rebuild``: every indexable page read and written to
the database index, and to the engine's new indexes when SEARCH_URL names one) on the generated
cases of bench/case_data.py (made in DIR on the first run, reused after; the 10,000-case data of
bench/sitemap.py fits), ``--rounds`` times: documents a second per round. ``--phases`` adds where
the time went: building the documents from the pages and writing the database index (both in this
process, one after the other), and the engine's bulk requests (their wall time, in a thread that
overlaps the building, with the engine's own ``took``).
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("rebuild")
os.environ.setdefault("SEARCH_URL", "")  # the database driver alone unless an engine is named
os.environ["DJANGO_SETTINGS_MODULE"] = "site_config.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.case_data import ensure_cases  # noqa: E402
from search import services  # noqa: E402
from search.drivers.database import DatabaseDriver  # noqa: E402
from search.services import engines, indexing  # noqa: E402

PHASES: defaultdict[str, float] = defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PHASES[name] += time.perf_counter() - started

    return call


def measure_phases() -> None:
    """Wrap the rebuild's parts to add their seconds to ``PHASES`` (and the engine's ``took``)."""
    chunks = indexing._document_chunks

    def timed_chunks(locale: str) -> Iterator[list[dict[str, Any]]]:
        pages = chunks(locale)
        while chunk := timed("building documents", next)(pages, None):
            yield chunk

    indexing._document_chunks = timed_chunks
    DatabaseDriver.rebuild = timed("database index", DatabaseDriver.rebuild)  # type: ignore[method-assign]
    engine = engines.engine_driver()
    if engine is not None:
        library = engine.client.client  # type: ignore[attr-defined]
        bulk = timed("engine bulk requests (wall, overlapped)", library.bulk)

        def bulk_took(*args: Any, **kwargs: Any) -> Any:
            answer = bulk(*args, **kwargs)
            PHASES["engine took"] += answer.get("took", 0) / 1000
            return answer

        library.bulk = bulk_took


def main() -> None:
    parser = argparse.ArgumentParser(description="full search rebuild benchmark")
    parser.add_argument("--cases", type=int, default=10_000, help="cases per locale")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    parser.add_argument("--phases", action="store_true", help="also print the seconds of each part")
    args = parser.parse_args()
    if args.phases:
        measure_phases()

    ensure_cases(args.cases, VAR, translated=True)
    where = f"database index + engine at {settings.SEARCH_URL}" if settings.SEARCH_URL else "database index only"
    for _round in range(args.rounds):
        started = time.perf_counter()
        written = services.rebuild()
        elapsed = time.perf_counter() - started
        total = sum(written.values())
        print(f"rebuild ({where}): {total} documents in {elapsed:.1f} s = {total / elapsed:.0f} docs/s")
        if args.phases:
            print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in PHASES.items()))
            PHASES.clear()


if __name__ == "__main__":
    main()
