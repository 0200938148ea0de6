"""Full search rebuild benchmark (prints figures; not a test):

    .venv/bin/python bench/rebuild.py --data DIR [--cases 10000] [--rounds 2]
    scripts/with-search-engine.sh .venv/bin/python bench/rebuild.py --data DIR

``search_index rebuild`` (``search.services.rebuild``: every indexable page read and written to
the database index, and to the engine's new indexes when SEARCH_URL names one) on the generated
cases of bench/case_data.py (made in DIR on the first run, reused after; the 10,000-case data of
bench/sitemap.py fits), ``--rounds`` times: documents a second per round.
"""

import argparse
import os
import sys
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description="full search rebuild benchmark")
    parser.add_argument("--cases", type=int, default=10_000, help="cases per locale")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    args = parser.parse_args()

    ensure_cases(args.cases, VAR, translated=True)
    where = f"database index + engine at {settings.SEARCH_URL}" if settings.SEARCH_URL else "database index only"
    for _round in range(args.rounds):
        started = time.perf_counter()
        written = services.rebuild()
        elapsed = time.perf_counter() - started
        total = sum(written.values())
        print(f"rebuild ({where}): {total} documents in {elapsed:.1f} s = {total / elapsed:.0f} docs/s")


if __name__ == "__main__":
    main()
