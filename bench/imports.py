"""Import benchmark (prints figures; not a test):

    .venv/bin/python bench/imports.py [--cases 2000] [--profile 200 [--profile-file F]] [--data DIR] [--search-url URL]
        [--tasks database]

Writes an import file of N generated cases (docs/import-format.md; every second item is the Russian
translation of the one before, as in docs/import-sample.json, with bench/case_data.py's words,
countries and the demo's taxonomy codes) into a fresh SQLite database holding the demo manual
(or DATABASE_URL; with --data DIR its SQLite database, which must not hold the cases yet), then
runs ``manage.py import_cases --publish`` in-process: cases a second, queries per case, and how
many purge batches, sitemap generations, open-data refreshes and outbox rounds the import caused.
``--profile N`` instead profiles the import of N cases with cProfile (top 40 by cumulative time;
``--profile-file F`` keeps the raw statistics for ``pstats``). ``--tasks database`` runs it as
production does (django-tasks-db: the background work queued, then run by one ``db_worker``, whose
time is printed apart). ``--queries`` also prints the queries a case by their shape (statement and
tables, literals and parameter lists folded), most frequent first.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("imports")
os.environ.setdefault("SEARCH_URL", "")  # the database driver unless --search-url names an engine
if "--tasks" in sys.argv[:-1]:  # the task backend is a setting: chosen before Django starts
    os.environ["TASKS_BACKEND"] = sys.argv[sys.argv.index("--tasks") + 1]
if "--search-url" in sys.argv[:-1]:
    os.environ["SEARCH_URL"] = sys.argv[sys.argv.index("--search-url") + 1]
os.environ["DJANGO_SETTINGS_MODULE"] = "site_config.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.case_data import COUNTRIES, sentence  # noqa: E402
from manual.models import (  # noqa: E402
    CaseStudyPage,
    EParticipationTool,
    GovernmentLevel,
    ParticipationLevel,
    PolicyStage,
    Topic,
)
from search.models import SearchDocument  # noqa: E402


def codes(model) -> list[str]:
    return list(model.objects.filter(locale__language_code="en").values_list("code", flat=True))


def import_file(cases: int, folder: Path) -> Path:
    """``cases`` items: pairs of an English case and its Russian translation."""
    rng = random.Random(7)
    topics, tools, stages = codes(Topic), codes(EParticipationTool), codes(PolicyStage)
    government, participation = codes(GovernmentLevel), codes(ParticipationLevel)
    items: list[dict] = []
    for number in range(cases):
        language = "en" if number % 2 == 0 else "ru"
        source = items[-1] if language == "ru" else None
        body = {
            "context": " ".join(sentence(rng, language, rng.randint(8, 16)) for _ in range(6)),
            "objectives": sentence(rng, language, 20),
            "approach": sentence(rng, language, 30),
            "results": sentence(rng, language, 20),
        }
        item = {
            "external_id": f"bench-import-{number}",
            "locale": language,
            "title": f"{sentence(rng, language, 4)[:-1]} {number}",
            "summary": sentence(rng, language, 24),
            "organisation": sentence(rng, language, 3),
            "city": rng.choice(["Tartu", "Grenoble", "Madrid", "Gdansk"]),
            "country": rng.choice(COUNTRIES),
            "coordinates": {"lat": round(rng.uniform(36, 70), 4), "lon": round(rng.uniform(-10, 30), 4)},
            "government_level": rng.choice(government),
            "participation_level": rng.choice(participation),
            "stages": rng.sample(stages, 2),
            "topics": rng.sample(topics, 2),
            "tools": rng.sample(tools, 2),
            "start_year": rng.randint(2000, 2025),
            "end_year": None,
            "initiative_status": "ongoing",
            "body": body,
            "contact": {"name": "Editorial team", "email": "editors@example.org"},
            "consent": {"terms": True, "publish_contact": False, "licence": "CC-BY-4.0"},
        }
        if source is not None:
            item["translation_of"] = source["external_id"]
            for name in ("country", "coordinates", "government_level", "participation_level", "start_year"):
                item[name] = source[name]
            for name in ("stages", "topics", "tools"):
                item[name] = source[name]
        items.append(item)
    path = folder / f"bench-import-{cases}.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def shape(sql: str) -> str:
    """A query's statement and tables, with its values and lists of values folded."""
    sql = re.sub(r"'(?:[^']|'')*'|\"s\d+_x\d+\"", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"\((?:\s*%s\s*,?)+\)|\((?:\s*\?\s*,?)+\)", "(…)", sql)
    verb = sql.split(None, 1)[0].upper() if sql.strip() else ""
    tables = sorted(set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', sql, flags=re.I)))
    return f"{verb} {' '.join(tables)}" if tables else sql[:80]


def run_worker() -> float:
    """One ``db_worker --batch``: runs the due tasks, then exits; its wall time."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT, env=os.environ, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def drain(count: int, elapsed: float) -> None:
    """With the database task backend: one ``db_worker --batch`` runs what the import queued and is
    due now (Wagtail's reference index, the search engine's outbox; the sitemap and open-data
    rebuilds wait their debounce delay, as in production), timed after the command."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - installed with the database backend

    queued = DBTaskResult.objects.ready().count()
    for path, number in Counter(DBTaskResult.objects.ready().values_list("task_path", flat=True)).most_common():
        print(f"  queued: {number} x {path}")
    worked = run_worker()
    left = DBTaskResult.objects.ready().count()
    waiting = DBTaskResult.objects.filter(status="READY").count() - left
    print(
        f"  then one db_worker --batch: {queued - left} queued tasks in {worked:.1f} s (its start included);"
        f" command and worker {count / (elapsed + worked):.1f} cases/s; {waiting} debounced for later"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="import benchmark")
    parser.add_argument("--cases", type=int, default=2000, help="items of the import file")
    parser.add_argument("--profile", type=int, default=0, help="profile the import of this many items instead")
    parser.add_argument("--profile-file", help="with --profile: also write the raw statistics here (pstats)")
    parser.add_argument("--data", help="the SQLite database in this directory (made when missing)")
    parser.add_argument("--queries", action="store_true", help="print the queries a case by shape")
    parser.add_argument(
        "--tasks",
        choices=["immediate", "database"],
        default="immediate",
        help="the task backend: immediate (embedded default: the background work inside the command) or "
        "database (production: queued, then run by one `db_worker --batch`, timed apart)",
    )
    parser.add_argument("--search-url", help="index into this engine (default: the database driver only)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not CaseStudyPage.objects.filter(slug="participatory-budgeting-in-tartu").exists():
        call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if CaseStudyPage.objects.filter(title__endswith=" 0", slug__startswith="bench-import").exists():
        sys.exit(f"{VAR} holds an earlier import: use another --data")
    if args.tasks == "database":
        run_worker()  # what making the demo manual queued: not the import's
    count = args.profile or args.cases
    path = import_file(count, Path(tempfile.mkdtemp(prefix="manual-bench-import-")))
    pages_before = CaseStudyPage.objects.count()
    documents_before = SearchDocument.objects.count()
    out = io.StringIO()
    profiler = cProfile.Profile() if args.profile else None
    queries = [0]
    shapes: Counter[str] = Counter()

    def counted(execute, sql, params, many, context):
        queries[0] += 1
        if args.queries:
            shapes[shape(sql)] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        call_command("import_cases", str(path), "--publish", stdout=out, stderr=io.StringIO())
        if profiler is not None:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    lines = out.getvalue().splitlines()
    created = CaseStudyPage.objects.count() - pages_before
    print(f"import_cases --publish: {count} items in {elapsed:.1f} s = {count / elapsed:.1f} cases/s")
    print(f"  {created} pages created; {len(lines) - 1} report lines; last: {lines[-1]!r}")
    print(f"  {queries[0] / count:.0f} queries a case (database {connection.vendor})")
    # The process's own CPU time: on a loaded machine a steadier figure than the wall clock.
    print(f"  CPU {cpu:.1f} s = {1000 * cpu / count:.0f} ms a case = {count / cpu:.1f} cases per CPU second")
    if args.tasks == "database":
        drain(count, elapsed)
    indexed = SearchDocument.objects.count() - documents_before
    print(f"  search documents written: {indexed} (database index)")
    for text, number in shapes.most_common():
        print(f"  {number / count:7.2f} a case  {text}")
    if profiler is not None:
        if args.profile_file:
            profiler.dump_stats(args.profile_file)
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(40)
        print(stats.getvalue())


if __name__ == "__main__":
    main()
