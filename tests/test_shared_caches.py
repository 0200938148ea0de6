"""Two app servers, one database, one Redis: the caches that must agree do (issue "Many machines").

Each server is its own process with its own VAR_DIR, so no file is shared between them
(tests/support/shared_caches.py); the Redis is the run's real redis-server. docs/operations.md
"Shared caches" states the bounds these tests hold the code to: a rate limit reached through one
server holds on the other; a label changed through one server is served by the other at its next
lookup; a search answer is never served from before an index change. Without REDIS_URL each
process keeps its own copies (the embedded default); with Redis down the site keeps answering.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import slow_clients
from tests.support import shared_caches
from tests.support.shared_caches import AppServer

SEARCH = """
from search.query import build_query
from search.services import search
query = build_query(q={q!r}, locale="en", filters={{}}, year_from=None, year_to=None, sort=None,
                    page=1, page_size=20, fallback=True)
answer = search(query)
result = [answer.count, [hit.title for hit in answer.results]]
"""
ANSWER_CACHED = """
from django.core.cache import caches
from search.query import build_query
from search.services.searching import _answer_key, _generation
query = build_query(q={q!r}, locale="en", filters={{}}, year_from=None, year_to=None, sort=None,
                    page=1, page_size=20, fallback=True)
result = caches["search"].get(_answer_key(query, _generation()[0])) is not None
"""
# What the outbox does after writing the database index (search.services.indexing.process_outbox),
# with or without telling the answer cache.
INDEX = """
import uuid
from search.services.engines import database_driver
from search.services.searching import index_changed
database_driver().index([{{"id": {page_id}, "translation_key": str(uuid.uuid4()), "locale": "en", "type": "case",
                          "title": {title!r}, "url": "/en/{page_id}/"}}])
if {changed}:
    index_changed()
"""
LABEL = """
from manual.models import Topic
from manual.taxonomy_registry import label_lookup
result = label_lookup("en").label(Topic, {code!r})
"""
RELABEL = """
from manual.models import Topic
term = Topic.objects.get(locale__language_code="en", code={code!r})
term.label = {label!r}
term.save()
"""
# A submission through the public API, as a client at ``address`` sends it (SUBMISSIONS_RATE_LIMIT=2).
POST = """
from django.test import Client
client = Client(REMOTE_ADDR={address!r})
result = client.post("/api/v1/submissions", data="{{}}", content_type="application/json").status_code
"""
HIT = """
from core.ratelimit import hit
result = hit("client-fingerprint", scope={scope!r}, limit={limit}).allowed
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """The database both servers share (SQLite in WAL mode: several processes of one host)."""
    folder = tmp_path_factory.mktemp("shared-database")
    path = folder / "manual.sqlite3"
    shared_caches.migrate(path, folder / "var")
    return path


@pytest.fixture(scope="module")
def servers(database, redis_url, tmp_path_factory) -> Iterator[tuple[AppServer, AppServer]]:
    """Servers A and B with the shared Redis, each with its own VAR_DIR."""
    folder = tmp_path_factory.mktemp("servers")
    a = AppServer("A", database, folder / "a", redis_url)
    b = AppServer("B", database, folder / "b", redis_url)
    yield a, b
    a.close()
    b.close()


@pytest.fixture(scope="module")
def local_servers(database, tmp_path_factory) -> Iterator[tuple[AppServer, AppServer]]:
    """Servers C and D without REDIS_URL: the embedded default's caches, on two hosts."""
    folder = tmp_path_factory.mktemp("local-servers")
    c = AppServer("C", database, folder / "c", "")
    d = AppServer("D", database, folder / "d", "")
    yield c, d
    c.close()
    d.close()


def a_topic(server: AppServer) -> str:
    return server.run(
        "from manual.models import Topic\n"
        "result = Topic.objects.filter(locale__language_code='en').order_by('code').values_list('code', flat=True)[0]"
    )


def test_a_rate_limit_reached_through_a_is_enforced_on_b(servers):
    a, b = servers
    assert [a.run(HIT.format(scope="shared-limit", limit=3)) for _ in range(3)] == [True, True, True]
    assert b.run(HIT.format(scope="shared-limit", limit=3)) is False
    # And the other way round: B's refused attempt counted for A too.
    assert a.run(HIT.format(scope="shared-limit", limit=3)) is False


def test_a_client_limited_through_a_gets_429_from_b(servers):
    a, b = servers
    statuses = [a.run(POST.format(address="203.0.113.7")) for _ in range(2)]
    assert 429 not in statuses  # refused as invalid, but counted
    assert b.run(POST.format(address="203.0.113.7")) == 429
    assert b.run(POST.format(address="203.0.113.8")) != 429  # another client has its own budget


def test_a_label_changed_through_a_is_served_by_b_at_its_next_lookup(servers):
    a, b = servers
    code = a_topic(a)
    old = b.run(LABEL.format(code=code))  # B now holds the labels in its own memory
    assert b.run(LABEL.format(code=code)) == old
    a.run(RELABEL.format(code=code, label="Relabelled through A"))
    started = time.monotonic()
    assert b.run(LABEL.format(code=code)) == "Relabelled through A"  # the first lookup after the commit
    assert time.monotonic() - started < 5  # at once: no waiting for LABEL_CACHE_SECONDS (60 s)
    a.run(RELABEL.format(code=code, label=old))
    assert b.run(LABEL.format(code=code)) == old


def test_a_search_answer_cached_on_a_is_shared_and_never_stale_on_b(servers):
    a, b = servers
    assert a.run(SEARCH.format(q="zebra")) == [0, []]
    assert b.run(ANSWER_CACHED.format(q="zebra")) is True  # A's answer is B's too
    # A write that does not bump the generation shows that B answers from the shared copy ...
    a.run(INDEX.format(page_id=990_001, title="Zebra crossing", changed=False))
    assert b.run(SEARCH.format(q="zebra")) == [0, []]
    # ... and an index change, made through A, is seen by B's very next search.
    a.run(INDEX.format(page_id=990_002, title="Zebra island", changed=True))
    count, titles = b.run(SEARCH.format(q="zebra"))
    assert count == 2
    assert sorted(titles) == ["Zebra crossing", "Zebra island"]


def test_without_redis_each_server_keeps_its_own_copies(local_servers):
    c, d = local_servers
    # Search answers are per process: C's cached answer is not D's.
    assert c.run(SEARCH.format(q="walrus")) == [0, []]
    assert c.run(ANSWER_CACHED.format(q="walrus")) is True
    assert d.run(ANSWER_CACHED.format(q="walrus")) is False
    # Labels: the VAR_DIR file reaches the processes of one host only, so D keeps its copy (for up
    # to LABEL_CACHE_SECONDS) after C's change: the reason REDIS_URL exists.
    code = a_topic(c)
    old = d.run(LABEL.format(code=code))
    c.run(RELABEL.format(code=code, label="Relabelled through C"))
    assert c.run(LABEL.format(code=code)) == "Relabelled through C"
    assert d.run(LABEL.format(code=code)) == old
    c.run(RELABEL.format(code=code, label=old))
    # The rate limit is in the database cache, which the two already share.
    assert [c.run(HIT.format(scope="local-limit", limit=2)) for _ in range(2)] == [True, True]
    assert d.run(HIT.format(scope="local-limit", limit=2)) is False


def test_with_redis_down_the_site_keeps_answering_and_limiting(database, tmp_path_factory):
    """Answers and labels are computed instead; the counters move to the database cache."""
    folder = tmp_path_factory.mktemp("outage")
    url, redis_process = shared_caches.start_redis(folder)
    e = AppServer("E", database, folder / "e", url)
    c = AppServer("C2", database, folder / "c", "")  # the database cache, as the embedded default has it
    try:
        code = a_topic(e)
        label = e.run(LABEL.format(code=code))
        assert e.run(SEARCH.format(q="narwhal")) == [0, []]
        assert e.run(HIT.format(scope="outage-limit", limit=2)) is True  # counted in Redis
        shared_caches.stop(redis_process)

        started = time.monotonic()
        assert e.run(SEARCH.format(q="narwhal")) == [0, []]  # computed again, not an error
        assert e.run(LABEL.format(code=code)) == label
        # Neither open nor closed: a fresh budget in the database cache, which holds.
        assert [e.run(HIT.format(scope="outage-limit", limit=2)) for _ in range(3)] == [True, True, False]
        # ... and which every server shares (C counts in the same table).
        assert c.run(HIT.format(scope="outage-limit", limit=2)) is False
        # The circuit breaker keeps an outage to one timeout, not one per call.
        assert time.monotonic() - started < 10
        assert e.run("from core.shared_cache import RedisHealth\nresult = RedisHealth.available()") is False
    finally:
        e.close()
        c.close()
        if redis_process.poll() is None:
            shared_caches.stop(redis_process)


def test_an_unreachable_redis_at_start_is_no_error(database, tmp_path_factory):
    """A server started while Redis is unreachable serves searches and labels from the start."""
    dead = f"redis://127.0.0.1:{slow_clients.free_port()}/0"
    f = AppServer("F", database, tmp_path_factory.mktemp("no-redis") / "f", dead)
    try:
        assert f.run(SEARCH.format(q="okapi")) == [0, []]
        assert f.run(LABEL.format(code=a_topic(f)))
        assert f.run(HIT.format(scope="dead-redis-limit", limit=1)) is True
        assert f.run(HIT.format(scope="dead-redis-limit", limit=1)) is False
    finally:
        f.close()
