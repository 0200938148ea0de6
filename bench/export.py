"""Open-data export benchmark (prints figures; not a test):

    .venv/bin/python bench/export.py [--cases 1000] [--data DIR]

Generates N case studies per locale (en, ru; bench/case_data.py) in a fresh SQLite database (or
DATABASE_URL; with --data DIR the SQLite database in DIR, generated on the first run and reused
after), then runs ``export_cases`` (opendata.services.dumps): its time, the size of each dump, the
queries it made and the peak memory of the process, which must not grow with N (the cases are
read in chunks).
"""

import argparse
import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("export")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.case_data import ensure_cases  # noqa: E402
from opendata.services.dumps import export_cases, export_dir  # noqa: E402
from opendata.services.records import CHUNK_SIZE  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="open-data export benchmark")
    parser.add_argument("--cases", type=int, default=1000, help="cases per locale")
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    args = parser.parse_args()

    ensure_cases(args.cases, VAR)

    before = peak_mb()
    with CaptureQueriesContext(connection) as queries:
        report = export_cases()
    chunks = -(-report.cases // CHUNK_SIZE)
    print(f"export_cases: {report.cases} records (with the demo's) in {report.seconds:.1f} s")
    rate = report.cases / report.seconds
    print(f"  {rate:.0f} records/s; {len(queries)} queries for {chunks} chunks of {CHUNK_SIZE}")
    for name, size in report.sizes.items():
        print(f"  {name}: {size / 1e6:.1f} MB ({size / report.cases:.0f} bytes a record)")
    print(f"  peak memory of the process: {peak_mb():.0f} MB (before the export: {before:.0f} MB)")
    print(f"  files in {export_dir()}")


if __name__ == "__main__":
    main()
