"""Faceted search: the same behaviour from the real engine and from the database driver."""

import socket
import threading
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from opensearchpy import OpenSearch
from wagtail.models import Locale

from manual.models import CaseStudyPage
from search import services
from search.documents import build_documents
from search.drivers.base import EngineUnavailable
from search.drivers.client import make_client
from search.drivers.database import DatabaseDriver
from search.drivers.engine import EngineDriver
from search.drivers.opensearch_client import OpenSearchClient
from search.models import IndexOutbox, SearchDocument, SearchDocumentTerm
from search.query import build_query
from search.registry import facet_keys
from tests.support.factories import UntranslatedCaseStudyPageFactory
from tests.support.search import engine_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_index():
    """A private index prefix for tests that write into the engine."""
    url = engine_url()
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-own-{uuid.uuid4().hex[:8]}"
    services.EngineHealth.reset()
    with override_settings(SEARCH_URL=url, SEARCH_INDEX_PREFIX=prefix):
        yield services.engine_driver()

    OpenSearch([url]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)


def run(client, **params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["degraded"] is False
    return body


def case_codes(case):
    return {
        "country": {case.country.code},
        "topic": set(case.topics.values_list("code", flat=True)),
        "tool": set(case.tools.values_list("code", flat=True)),
        "government_level": {case.government_level.code},
    }


def test_russian_stemming_finds_other_word_forms(client, driver, ru):
    body = run(client, q="бюджета", locale="ru")
    assert body["count"] >= 2
    assert all(hit["locale"] == "ru" for hit in body["results"])
    texts = [" ".join(sum(hit["highlight"].values(), [])) for hit in body["results"]]
    assert all("<mark>бюджет" in text.lower() for text in texts), texts


def test_english_stemming(client, driver):
    body = run(client, q="budgeting", locale="en")
    titles = [hit["title"] for hit in body["results"]]
    assert any("budget" in title.lower() for title in titles), titles


def test_disjunctive_facet_counts_match_the_content(client, driver, ru):
    cases = [case_codes(case) for case in CaseStudyPage.objects.live().filter(locale=ru, alias_of__isnull=True)]
    body = run(client, locale="ru", type="case_study", topic=["budget", "transparency"], country=["ES", "FR"])
    in_topics = [c for c in cases if c["topic"] & {"budget", "transparency"}]
    in_countries = [c for c in cases if c["country"] & {"ES", "FR"}]
    both = [c for c in in_topics if c["country"] & {"ES", "FR"}]
    assert body["count"] == len(both) > 0
    facets = {key: {v["value"]: v["count"] for v in values} for key, values in body["facets"].items()}
    # A facet's own filter is not applied to its counts; the other facets' filters are.
    assert facets["topic"] == dict(Counter(code for c in in_countries for code in c["topic"]))
    assert facets["country"] == dict(Counter(code for c in in_topics for code in c["country"]))
    assert facets["tool"] == dict(Counter(code for c in both for code in c["tool"]))
    labels = {v["value"]: v["label"] for v in body["facets"]["topic"]}
    assert labels["budget"] == "Государственный бюджет"
    assert {v["value"]: v["label"] for v in body["facets"]["country"]}["ES"] == "Испания"


def test_highlights_are_escaped(client, driver, en):
    body = run(client, q="participatory", locale="en")
    snippets = [s for hit in body["results"] for values in hit["highlight"].values() for s in values]
    assert snippets and all("<mark>" in s or "&" in s or s for s in snippets)
    for snippet in snippets:
        bare = snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare, snippet


def test_markup_in_content_comes_back_escaped(client, driver, en, django_capture_on_commit_callbacks):
    title = 'Zyxwvut <script>alert("x")</script> & <b>budget</b>'
    with django_capture_on_commit_callbacks(execute=True):
        page = UntranslatedCaseStudyPageFactory(title=title)
    try:
        body = run(client, q="zyxwvut", locale="en")
        [hit] = body["results"]
        assert hit["title"] == title, "the plain title is data, for the client to escape"
        marked = hit["highlight"]["title"][0]
        assert "<mark>Zyxwvut</mark>" in marked and "<script>" not in marked and "&lt;script&gt;" in marked
    finally:
        if driver == "engine":
            services.engine_driver().delete({"en": [page.pk]})


def test_a_body_match_shows_one_marked_fragment(client, driver, en, django_capture_on_commit_callbacks):
    """A word only the body has: the result's snippet is the body fragment around it, marked."""
    filler = " ".join(["Residents met in the hall."] * 30)  # the two matches are far apart
    with django_capture_on_commit_callbacks(execute=True):
        page = UntranslatedCaseStudyPageFactory(
            context=f"<p>{filler} The qxvbrook ward voted.</p>", results=f"<p>{filler} Qxvbrook again.</p>"
        )
    try:
        [hit] = run(client, q="qxvbrook", locale="en")["results"]
        assert set(hit["highlight"]) == {"body"}, hit["highlight"]
        [fragment] = hit["highlight"]["body"]
        assert "<mark>qxvbrook</mark>" in fragment.lower() and len(fragment) < 300, fragment
        html = client.get("/en/search/", {"q": "qxvbrook"}).content.decode()
        assert f'<p class="snippet">{fragment}</p>' in html
    finally:
        if driver == "engine":
            services.engine_driver().delete({"en": [page.pk]})


def test_deleting_a_page_removes_its_document(client, driver, en, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = UntranslatedCaseStudyPageFactory()
    assert run(client, q="zyxwvut", locale="en")["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert run(client, q="zyxwvut", locale="en")["count"] == 0


def test_pagination_is_stable(client, driver):
    everything = run(client, locale="en", sort="newest", page_size=100)
    pages = [run(client, locale="en", sort="newest", page_size=4, page=n)["results"] for n in range(1, 7)]
    seen = [hit["id"] for page in pages for hit in page]
    assert seen == [hit["id"] for hit in everything["results"]][: len(seen)]
    assert len(seen) == len(set(seen)) == min(24, everything["count"])


def test_sections_and_type_filter(client, driver):
    body = run(client, locale="en", type="section", page_size=100)
    assert body["count"] >= 6 and {hit["type"] for hit in body["results"]} == {"section"}
    types = {v["value"]: v["count"] for v in body["facets"]["type"]}
    assert types["case_study"] >= 12, "the type facet ignores its own filter"


def test_year_range(client, driver, en):
    body = run(client, locale="en", year_from=2015, year_to=2018, page_size=100)
    expected = CaseStudyPage.objects.live().filter(locale=en, start_year__gte=2015, start_year__lte=2018).count()
    assert body["count"] == expected > 0


def test_cross_language_fallback(client, driver, en, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = UntranslatedCaseStudyPageFactory()
    try:
        without = run(client, q="zyxwvut", locale="ru")
        assert without["count"] == 0
        found = run(client, q="zyxwvut", locale="ru", fallback=1)
        assert [(h["id"], h["locale"], h["fallback"]) for h in found["results"]] == [(page.pk, "en", True)]
        translated = run(client, q="Мадрид", locale="ru", fallback=1)
        assert translated["count"] >= 1 and all(not h["fallback"] for h in translated["results"])
    finally:
        if driver == "engine":
            services.engine_driver().delete({"en": [page.pk]})


def test_publish_and_unpublish_reach_the_index(client, driver, en, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = UntranslatedCaseStudyPageFactory()
    assert run(client, q="zyxwvut", locale="en")["count"] == 1
    assert not IndexOutbox.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert run(client, q="zyxwvut", locale="en")["count"] == 0
    assert not SearchDocument.objects.filter(page_id=page.pk).exists()


def test_suggest(client, driver):
    body = client.get("/api/v1/search/suggest", {"q": "Decid", "locale": "en"}).json()
    titles = [item["title"] for item in body["results"]]
    assert any(title.startswith("Decide Madrid") for title in titles)
    assert any(title.startswith("Decidim") for title in titles)


@pytest.mark.parametrize(
    "params",
    [
        {"q": '{"query": {"match_all": {}}}'},
        {"q": "title:(a OR b) AND *"},
        {"q": '" OR 1=1; DROP TABLE search_document; --'},
        {"q": "x" * 5000},
        {"q": "\\ / [ ] { } ~ ^ < > ! ( )"},
        {"q": "бюджет\x00"},
        {"topic": '{"terms": {"topic": ["budget"]}}'},
        {"country": "ES' OR '1'='1"},
        {"sort": "_script"},
        {"page_size": "1000000"},
        {"page": "-1"},
        {"year_from": "2020", "year_to": "2010"},
        {"locale": "../../etc"},
        {"type": "case_study", "tool": ["e-petition"] * 30},
    ],
)
def test_hostile_input_is_never_a_server_error(client, driver, params):
    response = client.get("/api/v1/search", params)
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert response.json()["errors"][0]["field"]


def test_bad_parameters_name_the_parameter(client):
    response = client.get("/api/v1/search", {"topic": "nope"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "topic"
    response = client.get("/api/v1/search", {"sort": "price"})
    assert response.json()["errors"][0]["field"] == "sort"


# --- the engine only ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_degradation_when_the_engine_refuses(client):
    services.EngineHealth.reset()
    with override_settings(SEARCH_URL=f"http://127.0.0.1:{free_port()}", SEARCH_ENGINE="opensearch"):
        response = client.get("/api/v1/search", {"q": "бюджет", "locale": "ru"})
        ready = client.get("/readyz")
    services.EngineHealth.reset()
    body = response.json()
    assert response.status_code == 200 and body["degraded"] is True and body["count"] >= 1
    assert ready.status_code == 503 and ready.json()["checks"]["search"]["ok"] is False


def test_degradation_when_the_engine_never_answers(client):
    """A socket that accepts and never answers: the search times out and the database answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    services.EngineHealth.reset()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with override_settings(SEARCH_URL=url, SEARCH_ENGINE="opensearch", SEARCH_TIMEOUT=0.3):
            body = client.get("/api/v1/search", {"q": "budget", "locale": "en"}).json()
            again = client.get("/api/v1/search", {"q": "budget", "locale": "en"}).json()
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
        services.EngineHealth.reset()
    assert body["degraded"] is True and body["count"] >= 1 and accepted
    assert again["degraded"] is True, "the next request skips the dead engine instead of waiting again"


def test_an_update_made_while_the_engine_was_down_arrives_later(own_index, en, django_capture_on_commit_callbacks):
    live_url = settings.SEARCH_URL
    for locale in ("en", "ru"):
        own_index.ensure_index(locale)
    with override_settings(SEARCH_URL=f"http://127.0.0.1:{free_port()}", SEARCH_ENGINE="opensearch"):
        with django_capture_on_commit_callbacks(execute=True):
            page = UntranslatedCaseStudyPageFactory()
        queued = IndexOutbox.objects.get()
        assert queued.attempts == 1 and queued.last_error
    services.EngineHealth.reset()
    with override_settings(SEARCH_URL=live_url):
        report = services.process_outbox(force=True)
        assert report.processed == 1 and not IndexOutbox.objects.exists()
        query = build_query(
            q="zyxwvut", locale="en", filters={}, year_from=None, year_to=None, sort=None, page=1,
            page_size=5, fallback=False,
        )  # fmt: skip
        assert [hit.id for hit in services.search(query).results] == [page.pk]


def test_rebuild_swaps_the_alias_without_failed_reads(own_index, en):
    documents = build_documents(CaseStudyPage.objects.filter(locale=en).values_list("pk", flat=True))
    own_index.rebuild("en", documents)
    first = own_index.client.alias_targets(own_index.alias("en"))
    failures, reads = [], []
    done = threading.Event()
    query = build_query(
        q="", locale="en", filters={}, year_from=None, year_to=None, sort=None, page=1, page_size=5, fallback=False
    )

    def read_continuously():
        while not done.is_set():
            try:
                reads.append(own_index.search(query).count)
            except Exception as exc:  # any failed read fails the test
                failures.append(exc)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for _ in range(3):
            own_index.rebuild("en", documents)
    finally:
        done.set()
        reader.join()
    assert not failures and reads and set(reads) == {len(documents)}
    second = own_index.client.alias_targets(own_index.alias("en"))
    assert second != first and len(second) == 1
    assert own_index.count("en") == len(documents)


def test_engine_mapping_uses_the_locale_analyzer(own_index):
    own_index.ensure_index("ru")
    name = own_index.client.alias_targets(own_index.alias("ru"))[0]
    mapping = own_index.client.client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["properties"]["title"]["analyzer"] == "russian"
    assert mapping["_meta"]["mapping_version"] >= 1
    analyzed = own_index.client.client.indices.analyze(index=name, body={"analyzer": "russian", "text": "бюджета"})
    assert [token["token"] for token in analyzed["tokens"]] == ["бюджет"]


def test_engine_unavailable_is_raised_for_a_dead_engine():
    driver = EngineDriver(OpenSearchClient(f"http://127.0.0.1:{free_port()}", 0.3), "dead")
    with pytest.raises(EngineUnavailable):
        driver.count("en")


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_both_client_adapters_report_a_dead_engine_as_unavailable(engine):
    client = make_client(f"http://127.0.0.1:{free_port()}", engine, 0.3)
    for call in (client.info, lambda: client.count("dead-en"), lambda: client.alias_targets("dead-en")):
        with pytest.raises(EngineUnavailable):
            call()


def test_status_command_reports_counts(capsys):
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "en: " in out and "published pages" in out and "outbox: 0 pending" in out
    assert Locale.objects.filter(language_code="ru").exists()


# --- answer cache ------------------------------------------------------------------------------


@pytest.fixture
def driver_calls(monkeypatch):
    """The searches that reached a driver (the engine or the database), recorded on the way through."""
    calls = []
    for driver_class in (EngineDriver, DatabaseDriver):

        def recording(self, query, real=driver_class.search):
            calls.append(query)
            return real(self, query)

        monkeypatch.setattr(driver_class, "search", recording)
    return calls


def test_a_repeated_search_is_answered_from_the_cache(client, driver, driver_calls, django_assert_num_queries):
    params = {"q": "budget", "locale": "ru", "topic": "budget", "fallback": 1}
    first = run(client, **params)
    with django_assert_num_queries(1):  # the index generation; labels are cached per process
        again = run(client, **params)
    assert again == first and len(driver_calls) == 1
    # Any other parameter is another search.
    for other in ({"page": 2}, {"locale": "en"}, {"sort": "newest"}, {"country": "ES"}, {"fallback": 0}):
        run(client, **{**params, **other})
    assert len(driver_calls) == 6


def test_an_index_change_anywhere_makes_cached_answers_stale(client, driver, driver_calls, en):
    params = {"q": "zyxwvut", "locale": "en"}
    assert run(client, **params)["count"] == 0
    # Published without processing the outbox here: the index does not have the page yet, and the
    # cached answer stays right until the index changes.
    page = UntranslatedCaseStudyPageFactory()
    assert run(client, **params)["count"] == 0 and len(driver_calls) == 1
    # Another worker processes the outbox: it writes the index and bumps the generation in the
    # database, never this process's cache.
    try:
        assert services.process_outbox(force=True).processed >= 1
        assert [hit["id"] for hit in run(client, **params)["results"]] == [page.pk]
        assert len(driver_calls) == 2
    finally:
        if driver == "engine":
            services.engine_driver().delete({"en": [page.pk]})


def test_rebuild_makes_cached_answers_stale(settings):
    settings.SEARCH_URL = ""
    before = services.index_generation()
    services.rebuild(["en"])
    assert services.index_generation() > before


@pytest.mark.engine
def test_degraded_answers_are_not_cached(client, driver_calls):
    services.EngineHealth.reset()
    params = {"q": "budget", "locale": "en"}
    try:
        with override_settings(SEARCH_URL=engine_url()):
            services.EngineHealth.failed(EngineUnavailable("engine restarting"))
            assert client.get("/api/v1/search", params).json()["degraded"] is True
            services.EngineHealth.reset()
            body = run(client, **params)  # asks the engine, not the cache
    finally:
        services.EngineHealth.reset()
    assert body["count"] >= 1 and len(driver_calls) == 2


def test_without_the_answer_cache_every_search_asks_the_driver(client, driver, driver_calls, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    run(client, q="budget", locale="en")
    run(client, q="budget", locale="en")
    assert len(driver_calls) == 2


def test_documents_hold_the_text_readers_see(en):
    page = UntranslatedCaseStudyPageFactory()
    page.approach = "<p>Safety &amp; trust&nbsp;first</p><script>var hiddenword = 1;</script><p>Next</p>"
    page.save_revision().publish()
    [document] = build_documents([page.pk])
    assert "Safety & trust first Next" in document["body"]
    assert "hiddenword" not in document["body"] and "&amp;" not in document["body"]


def test_database_rebuild_replaces_documents_and_their_terms(en):
    driver = DatabaseDriver()
    documents = build_documents(CaseStudyPage.objects.live().filter(locale=en).values_list("pk", flat=True))
    expected = sum(1 + sum(len(document[key]) for key in facet_keys() if key != "type") for document in documents)
    for _round in range(2):
        assert driver.rebuild("en", documents) == len(documents)
        terms = SearchDocumentTerm.objects.filter(document__locale="en")
        assert terms.count() == expected
    assert not SearchDocumentTerm.objects.exclude(document__in=SearchDocument.objects.all()).exists()
    driver.delete({"en": [documents[0]["id"]]})
    assert not SearchDocument.objects.filter(page_id=documents[0]["id"]).exists()
    assert SearchDocumentTerm.objects.filter(document__locale="en").count() < expected


def test_engine_only_rebuild_reads_the_database_index(own_index, capsys):
    before = services.index_generation()
    call_command("search_index", "rebuild", "--engine-only", "--locale", "en")
    expected = SearchDocument.objects.filter(locale="en").count()
    assert own_index.count("en") == expected > 0
    assert f"en: {expected} documents" in capsys.readouterr().out
    assert services.index_generation() > before


def test_engine_only_rebuild_without_an_engine_is_a_clear_error(settings):
    settings.SEARCH_URL = ""
    with pytest.raises(CommandError, match="no search engine is configured"):
        call_command("search_index", "rebuild", "--engine-only")
