"""Cluster check (prints figures; not a test): three OpenSearch nodes lose one while readers search
and an editor publishes.

    .venv/bin/python bench/cluster.py [--copies 150] [--before 15] [--down 30] [--after 15]

1. Starts three nodes of the embedded OpenSearch on loopback (bench/search_cluster.py: each with its
   own home and ports, discovering each other through ``discovery.seed_hosts`` and bootstrapping
   with ``cluster.initial_cluster_manager_nodes``).
2. Loads the demo manual plus ``--copies`` copies of its cases per locale into a fresh SQLite
   database (or DATABASE_URL) and rebuilds the indexes: ``SEARCH_INDEX_REPLICAS`` unset, so each
   index gets 1 replica (the cluster has 3 data nodes); waits for green.
3. Four reader threads search continuously through the search service (``search.services.search``,
   the answer cache off, so every search reaches a driver) and one editor thread renames and
   publishes a case every ``--edit-every`` seconds (the outbox is processed at commit, as with the
   immediate task backend).
4. After ``--before`` seconds, kills (SIGKILL) the node holding the most primary shards other than
   the one ``SEARCH_URL`` points at (the application's entry node, as a load balancer would be);
   restarts it after ``--down`` seconds on its data; waits for green; goes on ``--after`` seconds.
5. Drains the outbox (``search_index sync``), then compares every edited page's title in the engine
   with the database's, and the engine's document count with the database index's.

Searches wait up to ``SEARCH_TIMEOUT_MS`` (here 5000 unless set, as in bench/search.py) for the
engine. Figures: searches, failed searches (an exception: the engine failed and so did the
database), degraded answers (answered by the database), incomplete answers (an engine answer with
another count than the whole index gave before the kill: partial shard results), publishes,
publishes whose engine write failed first (left in the outbox), lost index updates, seconds to
green after the node returned.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows as it happens
VAR = Path(tempfile.mkdtemp(prefix="manual-bench-cluster-"))
os.environ["VAR_DIR"] = str(VAR)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["SEARCH_ENGINE"] = "opensearch"
os.environ["SEARCH_INDEX_PREFIX"] = f"cluster{os.getpid()}"
os.environ["SEARCH_CACHE_SECONDS"] = "0"
# As bench/search.py and the tests: a busy 2-core machine running three JVMs would turn the
# production 500 ms into timeouts (degraded answers) that say nothing about the cluster.
os.environ.setdefault("SEARCH_TIMEOUT_MS", "5000")
os.environ.pop("SEARCH_INDEX_REPLICAS", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "site_config.settings"

from bench.search_cluster import Cluster, Node, get, wait_green  # noqa: E402

WORDS = {"en": ["budget", "citizens", "participation", "online", "city"], "ru": ["бюджет", "граждан", "участие"]}


def main() -> None:
    parser = argparse.ArgumentParser(description="three-node cluster check")
    parser.add_argument("--copies", type=int, default=150, help="copies of the demo cases per locale")
    parser.add_argument("--before", type=float, default=15, help="seconds of load before the kill")
    parser.add_argument("--down", type=float, default=30, help="seconds the node stays down")
    parser.add_argument("--after", type=float, default=15, help="seconds of load after green")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--edit-every", type=float, default=0.5, help="seconds between publishes")
    args = parser.parse_args()

    cluster = Cluster("manual-bench-cluster", 3, VAR)
    nodes = cluster.nodes
    started = time.perf_counter()
    cluster.start()
    try:
        entry = nodes[0]
        wait_green(entry.url, len(nodes))
        print(f"3 OpenSearch nodes green in {time.perf_counter() - started:.0f} s (logs and data in {VAR})")
        os.environ["SEARCH_URL"] = entry.url
        run(args, nodes, entry)
    finally:
        cluster.stop()


def run(args: argparse.Namespace, nodes: list[Node], entry: Node) -> None:
    # Django starts only now: the settings read SEARCH_URL at import.
    import django  # noqa: PLC0415 - see the comment above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    from manual.models import CaseStudyIndexPage, CaseStudyPage  # noqa: PLC0415
    from search import services  # noqa: PLC0415
    from search.models import IndexOutbox, SearchDocument  # noqa: PLC0415
    from search.query import build_query  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
    t0 = time.perf_counter()
    # Copied with the engine off (each publish would index one document); the rebuild loads them.
    with override_settings(SEARCH_URL=""):
        for language in ("en", "ru"):
            parent = CaseStudyIndexPage.objects.get(locale__language_code=language)
            templates = list(CaseStudyPage.objects.live().filter(locale__language_code=language))
            for number in range(args.copies):
                template = templates[number % len(templates)]
                attrs = {"title": f"{template.title} (copy {number})", "slug": f"cluster-{language}-{number}"}
                template.copy(to=parent, update_attrs=attrs, keep_live=True, log_action=None)
    written = services.rebuild()
    print(f"{sum(written.values())} documents ({written}) in {time.perf_counter() - t0:.0f} s")
    driver = services.engine_driver()
    assert driver is not None
    shards = get(f"{entry.url}/_cat/shards/{os.environ['SEARCH_INDEX_PREFIX']}-*?format=json")
    print("shards:", Counter(shard["prirep"] for shard in shards), "over", len({s["node"] for s in shards}), "nodes")
    wait_green(entry.url, len(nodes))

    def query(words: str, locale: str):
        return build_query(
            q=words, locale=locale, filters={}, year_from=None, year_to=None,
            sort=None, page=1, page_size=20, fallback=False,
        )  # fmt: skip

    searches = [(word, locale) for locale, words in WORDS.items() for word in words]
    # What the whole index answers, from the engine (the database driver's stemming may differ).
    expected = {search: driver.search(query(*search)).count for search in searches}
    figures: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    edited: set[int] = set()
    reasons: Counter[str] = Counter()  # why the engine was passed over (the circuit breaker's last error)

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                search = rng.choice(searches)
                try:
                    results = services.search(query(*search))
                except Exception:  # the engine failed and so did the database
                    outcome = "failed searches"
                else:
                    outcome = "degraded answers (database)" if results.degraded else "engine answers"
                    if not results.degraded and results.count != expected[search]:
                        outcome = "incomplete answers"
                with lock:
                    figures["searches"] += 1
                    figures[outcome] += 1
                    if results.degraded:
                        reasons[services.EngineHealth.last_error[:120]] += 1
        finally:
            connection.close()

    def editor() -> None:
        rng = random.Random(1)
        pages = list(CaseStudyPage.objects.live().filter(slug__startswith="cluster-").values_list("pk", flat=True))
        number = 0
        try:
            while not stop.is_set():
                number += 1
                page = CaseStudyPage.objects.get(pk=rng.choice(pages)).specific
                page.title = f"{page.title.split(' [edit')[0]} [edit {number}]"
                try:
                    page.save_revision().publish()  # the outbox is processed at commit
                except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                    outcome = "failed publishes"
                    print("publish failed:", exc)
                else:
                    edited.add(page.pk)
                    outcome = "publishes"
                    if IndexOutbox.objects.filter(attempts__gt=0).exists():
                        outcome = "publishes left in the outbox by an engine failure"
                with lock:
                    figures[outcome] += 1
                stop.wait(args.edit_every)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(args.readers)]
    threads.append(threading.Thread(target=editor))
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.before)
        primaries = Counter(s["node"] for s in get(f"{entry.url}/_cat/shards?format=json") if s["prirep"] == "p")
        victim = max((node for node in nodes if node is not entry), key=lambda node: primaries[node.name])
        manager = get(f"{entry.url}/_cat/cluster_manager?format=json")[0]["node"]
        print(f"killing {victim.name} ({primaries[victim.name]} primaries; cluster manager: {manager})")
        print(f"before the kill ({args.before:.0f} s):", dict(figures))
        mark = Counter(figures)
        victim.kill()
        time.sleep(args.down)
        print(f"while {victim.name} was down ({args.down:.0f} s):", dict(+(Counter(figures) - mark)))
        mark = Counter(figures)
        victim.start()
        green = wait_green(entry.url, len(nodes))
        print(f"{victim.name} restarted, green {green:.0f} s later; meanwhile:", dict(+(Counter(figures) - mark)))
        mark = Counter(figures)
        time.sleep(args.after)
        print(f"after green ({args.after:.0f} s):", dict(+(Counter(figures) - mark)))
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    for _ in range(30):  # search_index sync until the outbox is empty (back-off is ignored: force)
        if not IndexOutbox.objects.exists():
            break
        services.process_outbox(force=True)
        time.sleep(1)
    driver.client.refresh(f"{os.environ['SEARCH_INDEX_PREFIX']}-*")
    titles = dict(CaseStudyPage.objects.filter(pk__in=edited).values_list("pk", "title"))
    lost = 0
    for locale in ("en", "ru"):
        body = {"query": {"ids": {"values": sorted(edited)}}, "_source": ["id", "title"], "size": len(edited)}
        answer = driver.client.search(driver.alias(locale), body)
        found = {hit["_source"]["id"]: hit["_source"]["title"] for hit in answer["hits"]["hits"]}
        lost += sum(1 for pk, title in titles.items() if pk in found and found[pk] != title)
        documents = SearchDocument.objects.filter(locale=locale)
        lost += len(set(documents.filter(page_id__in=edited).values_list("page_id", flat=True)) - set(found))
        database_count = documents.count()
        if driver.count(locale) != database_count:
            print(f"{locale}: engine holds {driver.count(locale)} documents, the database index {database_count}")
            lost += abs(driver.count(locale) - database_count)
    figures["lost index updates"] = lost
    for reason, count in reasons.most_common(5):
        print(f"degraded {count} times after: {reason}")
    figures["outbox rows left"] = IndexOutbox.objects.count()
    final = get(f"{entry.url}/_cluster/health")
    print(f"\nfigures ({args.readers} readers, 1 editor; cluster {final['status']}, {final['number_of_nodes']} nodes):")
    for name in (
        *("searches", "engine answers", "degraded answers (database)", "incomplete answers", "failed searches"),
        *("publishes", "failed publishes", "publishes left in the outbox by an engine failure"),
        *("lost index updates", "outbox rows left"),
    ):
        print(f"  {name}: {figures[name]}")


if __name__ == "__main__":
    main()
