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
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_data = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--data=")), None)
if "--data" in sys.argv[:-1]:
    _data = sys.argv[sys.argv.index("--data") + 1]
# Settings read VAR_DIR at import: the data directory is known before Django starts.
VAR = Path(_data).resolve() if _data else Path(tempfile.mkdtemp(prefix="manual-bench-export-"))
VAR.mkdir(parents=True, exist_ok=True)
os.environ["VAR_DIR"] = str(VAR)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.case_data import generate  # noqa: E402
from manual.models import CaseStudyPage  # noqa: E402
from opendata.services.dumps import export_cases, export_dir  # noqa: E402
from opendata.services.records import CHUNK_SIZE  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="open-data export benchmark")
    parser.add_argument("--cases", type=int, default=1000, help="cases per locale")
    parser.add_argument("--data", help="keep the generated database in this directory and reuse it")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    generated = CaseStudyPage.objects.filter(slug__startswith="bench-en-").count()
    if generated and generated != args.cases:
        sys.exit(f"{VAR} holds {generated} generated cases per locale, not {args.cases}: use another --data")
    if generated:
        print(f"reusing {generated} cases x 2 locales in {VAR}")
    else:
        call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
        t0 = time.perf_counter()
        generate(args.cases)
        print(f"generated {args.cases} cases x 2 locales in {time.perf_counter() - t0:.0f} s")

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
