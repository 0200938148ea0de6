import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation
from opensearchpy import OpenSearch
from wagtail.models import Locale

from bench import slow_clients
from manual.models import CaseStudyPage
from manual.services import read_model
from manual.services.demo import load_demo_manual
from manual.services.review import EDITORS, MODERATORS, TRANSLATORS
from manual.services.taxonomies import clear_label_cache
from search import services as search_services
from search.query import build_query
from search.services import engine_driver, rebuild
from tests.support import serving, shared_caches
from tests.support.search import engine_url
from tests.support.stored_files import media_files_removed, private_files_removed

# Fixtures that put a test on the engine (besides the ``driver`` fixture's "engine" half).
ENGINE_FIXTURES = {"own_index", "engine"}


def pytest_collection_modifyitems(items):
    """Mark every test that talks to the engine ``engine``: `make test` runs them again on the second
    engine (scripts/test.sh). Tests that reach the engine otherwise carry the marker themselves."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_engine = callspec is not None and callspec.params.get("driver") == "engine"
        if on_engine or ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo manual once into the test database; each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        load_demo_manual()
        # The database index, and the engine's when the run has one.
        with override_settings(SEARCH_URL=settings.SEARCH_ENGINE_TEST_URL):
            rebuild()
            if settings.SEARCH_ENGINE_TEST_URL:
                _warm_up_engine()
    yield
    if settings.SEARCH_ENGINE_TEST_URL:
        _drop_test_indexes(settings.SEARCH_ENGINE_TEST_URL, settings.SEARCH_INDEX_PREFIX)


def _warm_up_engine() -> None:
    """First queries on a cold JVM are slow: run the service's own kind of search a few times."""
    driver = engine_driver()
    for _round in range(3):
        for locale, words in (("en", "budget"), ("ru", "бюджет")):
            query = build_query(
                q=words, locale=locale, filters={"topic": ["budget"]}, year_from=None, year_to=None,
                sort=None, page=1, page_size=20, fallback=True,
            )  # fmt: skip
            driver.search(query)


def _drop_test_indexes(url: str, prefix: str) -> None:
    OpenSearch([url]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)


@pytest.fixture(autouse=True)
def _fresh_label_cache():
    """Labels cached by one test must not outlive its rolled-back transaction."""
    clear_label_cache()
    yield
    clear_label_cache()


@pytest.fixture(autouse=True)
def _fresh_list_counts():
    """Counts are kept per generation of the public pages, which rolls back with each test's
    transaction: a count taken after a test changed pages without publishing must not outlive it."""
    read_model.forget_counts()
    yield
    read_model.forget_counts()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: Django's LocaleMiddleware leaves a request's
    language (e.g. /ru/) active in the thread after the request, and messages would follow it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_search_answers():
    """The index generation rolls back with each test's transaction; cached answers (and the
    compiled glossary) would not."""
    caches["search"].clear()
    search_services.clear_glossary_cache()
    yield
    caches["search"].clear()


@pytest.fixture(autouse=True)
def private_files_cleanup():
    """Database rows roll back after each test, files do not: remove the files a test stored."""
    with private_files_removed():
        yield


@pytest.fixture
def media_files_cleanup():
    """Files under MEDIA_ROOT and the unpublished folder outlive each test's rolled-back rows, and so
    do cached renditions: for tests that publish images and documents (``usefixtures``)."""
    with media_files_removed():
        yield


@pytest.fixture(scope="session")
def served_stack(tmp_path_factory):
    """The served stack (nginx -> Varnish -> gunicorn), started once per run (tests/support/serving.py)."""
    stack, process = serving.start(tmp_path_factory.mktemp("serving") / "run.log")
    try:
        yield stack
    finally:
        slow_clients.stop_stack(process)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The Redis of the run: scripts/with-redis.sh's, else Debian's redis-server started once on a free
    port (tests/support/shared_caches.py)."""
    if settings.REDIS_TEST_URL:
        yield settings.REDIS_TEST_URL
        return
    url, process = shared_caches.start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        shared_caches.stop(process)


@pytest.fixture(params=["database", "engine"])
def driver(request):
    """Run a test once against the database driver and once against the real engine."""
    url = "" if request.param == "database" else engine_url()
    search_services.EngineHealth.reset()
    with override_settings(SEARCH_URL=url):
        yield request.param
    search_services.EngineHealth.reset()


@pytest.fixture
def en(db) -> Locale:
    return Locale.objects.get(language_code="en")


@pytest.fixture
def ru(db) -> Locale:
    return Locale.objects.get(language_code="ru")


@pytest.fixture
def en_cases(db):
    return CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)


def _user(django_user_model, username: str, group: str | None):
    user = django_user_model.objects.create_user(username=username, email=f"{username}@example.org", password="pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _user(django_user_model, "editor", EDITORS)


@pytest.fixture
def moderator(db, django_user_model):
    return _user(django_user_model, "moderator", MODERATORS)


@pytest.fixture
def translator(db, django_user_model):
    return _user(django_user_model, "translator", TRANSLATORS)


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL') or 'SQLite (DATABASE_URL unset)'}; CI={os.environ.get('CI', '')}"
