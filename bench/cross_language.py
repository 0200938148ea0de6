"""Cross-language search evaluation (prints figures; not a test): Russian queries, English-only cases.

    .venv/bin/python bench/cross_language.py                 # the database driver
    scripts/with-search-engine.sh .venv/bin/python bench/cross_language.py   # the engine (SEARCH_URL)
    SEARCH_ENGINE=elasticsearch scripts/with-search-engine.sh .venv/bin/python bench/cross_language.py

Loads the demo manual (``manage.py load_demo_manual``) and the import sample
(``docs/import-sample.json``, published) into a fresh SQLite database, unpublishes the Russian
translation of the cases ``bench/glossary_eval.json`` lists as ``english_only`` and rebuilds the
index. Then runs every query of that file in Russian with ``fallback=1``, first without the glossary
(the fallback as it was: the words as typed) and then with it, and prints, over the first 10 results:

- recall@10 of the fallback results: of the English-only cases a query should find, the share found;
- precision@10 of the fallback results: of the fallback results shown, the share that should be;
- same-language precision@10: of the Russian results, the share listed as relevant
  (``same_language``), with ``fallback=0`` and with the glossary: expansion must not lower it.

Cases are named by their English slug (stable: the demo's and the sample's own).
"""

import argparse
import json
import os
import sys
from pathlib import Path
from statistics import mean
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402 - after the path is set

VAR = prepare("cross-language")
os.environ.setdefault("SEARCH_INDEX_PREFIX", f"bench-xl{os.getpid()}")
os.environ.setdefault("SEARCH_CACHE_SECONDS", "0")  # every search is answered, not remembered
os.environ["DJANGO_SETTINGS_MODULE"] = "site_config.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from wagtail.models import Locale, Page  # noqa: E402

from manual.models import CaseStudyPage  # noqa: E402
from search import services  # noqa: E402
from search.query import build_query  # noqa: E402

EVAL = ROOT / "bench" / "glossary_eval.json"
SAMPLE = ROOT / "docs" / "import-sample.json"
K = 10


def load_content(english_only: list[str]) -> dict[str, str]:
    """The evaluation's content; returns translation key -> English slug of every case."""
    call_command("migrate", verbosity=0)
    call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("import_cases", str(SAMPLE), "--publish", stdout=open(os.devnull, "w"))  # noqa: SIM115
    english = CaseStudyPage.objects.filter(locale=Locale.objects.get(language_code="en"))
    slugs = {str(key): slug for key, slug in english.values_list("translation_key", "slug")}
    unknown = sorted(set(english_only) - set(slugs.values()))
    if unknown:
        sys.exit(f"{EVAL.name} names cases the content does not have: {', '.join(unknown)}")
    keys = [key for key, slug in slugs.items() if slug in english_only]
    for page in Page.objects.live().filter(translation_key__in=keys, locale__language_code="ru"):
        page.specific.unpublish(log_action=None)
    services.process_outbox(force=True)
    services.rebuild()
    return slugs


def found(q: str, fallback: bool, slugs: dict[str, str]) -> list[tuple[str, bool]]:
    query = build_query(
        q=q,
        locale="ru",
        filters={},
        year_from=None,
        year_to=None,
        sort=None,
        page=1,
        page_size=K,
        fallback=fallback,
    )
    results = services.search(query)
    assert not results.degraded, "the engine did not answer"
    return [(slugs.get(hit.translation_key, hit.url or str(hit.id)), hit.fallback) for hit in results.results]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def measure(queries: list[dict], slugs: dict[str, str], fallback: bool) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"recall": [], "precision": [], "same_language": []}
    for item in queries:
        hits = found(item["q"], fallback, slugs)
        others = [slug for slug, is_fallback in hits if is_fallback]
        own = [slug for slug, is_fallback in hits if not is_fallback]
        wanted, relevant_own = set(item["fallback"]), set(item.get("same_language", []))
        for name, value in (
            ("recall", share(len(wanted & set(others)), len(wanted))),
            ("precision", share(len([slug for slug in others if slug in wanted]), len(others))),
            ("same_language", share(len([slug for slug in own if slug in relevant_own]), len(own))),
        ):
            if value is not None:
                figures[name].append(value)
        item.setdefault("_missed", {})[fallback] = sorted(wanted - set(others))
        item.setdefault("_extra", {})[fallback] = [slug for slug in others if slug not in wanted]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="cross-language search evaluation")
    parser.add_argument("--verbose", action="store_true", help="list each query's missed and extra cases")
    args = parser.parse_args()
    evaluation = json.loads(EVAL.read_text(encoding="utf-8"))
    slugs = load_content(evaluation["english_only"])
    queries = evaluation["queries"]
    driver = (
        "engine (" + os.environ.get("SEARCH_ENGINE", "opensearch") + ")" if services.engine_driver() else "database"
    )
    print(f"driver: {driver}; {len(queries)} Russian queries; {len(evaluation['english_only'])} English-only cases")

    same_before = measure(queries, slugs, fallback=False)["same_language"]
    services.clear_glossary_cache()
    with mock.patch("search.services.searching.glossary_concepts", return_value=[]):
        before = measure(queries, slugs, fallback=True)
    services.clear_glossary_cache()
    after = measure(queries, slugs, fallback=True)

    def line(name: str, values: list[float]) -> str:
        return f"{name}: {mean(values):.3f} over {len(values)} queries" if values else f"{name}: -"

    print("fallback=1 without the glossary (the words as typed):")
    print("  " + line("recall@10", before["recall"]) + "; " + line("precision@10", before["precision"]))
    print("fallback=1 with the glossary:")
    print("  " + line("recall@10", after["recall"]) + "; " + line("precision@10", after["precision"]))
    print("same-language precision@10:")
    print("  " + line("fallback=0", same_before) + "; " + line("with the glossary", after["same_language"]))
    if args.verbose:
        for item in queries:
            if item["_missed"][True] or item["_extra"][True]:
                print(f"  {item['q']}: missed {item['_missed'][True]}, extra {item['_extra'][True]}")


if __name__ == "__main__":
    main()
