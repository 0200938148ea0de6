"""Settings come from the environment; a wrong value stops start-up naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from site_config.env import Env, database_config, redis_url, secret_key_weakness
from tests.support.commands import ROOT, run_manage

STRONG_KEY = "p3Rk-9vQ_zt7Lw2!xNcA8sYd#fEj4mHb6uKo1iGr5TyVq0lZnWeXa"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: expected true/false"),
        ("PORT", "eighty", "PORT: expected an integer"),
        ("PORT", "70000", "PORT: must be at most 65535"),
        ("MANUAL_LOCALES", "en,english", "MANUAL_LOCALES: 'english' is not a language code"),
        ("MANUAL_LOCALES", "en,en", "MANUAL_LOCALES: duplicate"),
        ("DATABASE_URL", "mysql://db/manual", "DATABASE_URL: scheme must be one of"),
        ("SEARCH_URL", "ftp://search", "SEARCH_URL: scheme must be one of"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL: scheme must be redis or rediss"),
        ("SEARCH_ENGINE", "elasticsearch8", "SEARCH_ENGINE: expected auto, opensearch or elasticsearch"),
        ("SEARCH_INDEX_SHARDS", "0", "SEARCH_INDEX_SHARDS: must be at least 1"),
        ("SEARCH_INDEX_REPLICAS", "one", "SEARCH_INDEX_REPLICAS: expected an integer"),
        ("SEARCH_INDEX_REPLICAS", "-1", "SEARCH_INDEX_REPLICAS: must be at least 0"),
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND: expected immediate or database"),
        ("TASKS_MAX_ATTEMPTS", "0", "TASKS_MAX_ATTEMPTS: must be at least 1"),
        ("MAP_TILE_URL", "https://tiles.example.org/{z}/{x}.png", "MAP_TILE_URL: a template with {z}, {x} and {y}"),
        ("MAP_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png", "MAP_TILE_ATTRIBUTION: required"),
        ("MAP_TILE_URL", "ftp://tiles.example.org/{z}/{x}/{y}.png", "MAP_TILE_URL: scheme must be one of"),
        ("MAP_TILE_ATTRIBUTION", "OpenStreetMap", "MAP_TILE_ATTRIBUTION: set without MAP_TILE_URL"),
        ("TASKS_RECOVERY_INTERVAL", "soon", "TASKS_RECOVERY_INTERVAL: expected an integer"),
        ("CORS_ALLOWED_ORIGINS", "example.org", "CORS_ALLOWED_ORIGINS: 'example.org' must look like"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_the_variable(name, value, message):
    result = run_manage({"SECRET_KEY": STRONG_KEY, name: value}, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage({"SECRET_KEY": "", "DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY: required when DEBUG is off" in result.stderr


def _served_environment(var_dir: Path) -> dict[str, str]:
    """What a shell has after `make run` in another terminal: nothing exported but, at most, VAR_DIR."""
    unset = {"SECRET_KEY", "DEBUG", "SECURE_HTTPS", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "VAR_DIR"}
    return {**{key: value for key, value in os.environ.items() if key not in unset}, "VAR_DIR": str(var_dir)}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_management_commands_read_the_secret_file_make_run_generates(tmp_path):
    secret = secrets.token_urlsafe(50)  # as scripts/run.sh generates it
    (tmp_path / "secret_key").write_text(secret + "\n")  # as scripts/run.sh writes it
    env = _served_environment(tmp_path)

    check = _manage(env, "check")
    assert check.returncode == 0, check.stderr
    same_key = _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(settings.SECRET_KEY == {secret!r})",
    )
    assert same_key.stdout.strip() == "True", same_key.stderr
    # A listed command gets past the settings to its own work (here: a clear error about its file).
    imported = _manage(env, "import_cases", str(tmp_path / "missing.json"))
    assert imported.returncode != 0
    assert "SECRET_KEY" not in imported.stderr and "missing.json" in imported.stderr


def test_secret_key_in_the_environment_wins_over_the_file(tmp_path):
    (tmp_path / "secret_key").write_text("from-the-file-" + secrets.token_urlsafe(50))
    env = {**_served_environment(tmp_path), "SECRET_KEY": "from-the-environment-" + secrets.token_urlsafe(40)}
    result = _manage(
        env, "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY[:20])"
    )
    assert result.stdout.strip() == "from-the-environment", result.stderr


def test_without_secret_file_or_variable_the_error_names_both(tmp_path):
    result = _manage(_served_environment(tmp_path), "check")
    assert result.returncode != 0
    assert f"SECRET_KEY: required when DEBUG is off: set it, or keep one in {tmp_path / 'secret_key'}" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-" + "Ab3" * 10, "must be at least 50 characters long"),
        ("django-insecure-" + "v0Qz8Lk2Tn5Wr9Bx3Hm7Pc1Yf4Js6Da" * 2, "contains the placeholder 'django-insecure'"),
        ("please-changeme-" + "v0Qz8Lk2Tn5Wr9Bx3Hm7Pc1Yf4Js6Da" * 2, "contains the placeholder 'changeme'"),
        ("k" * 60, "has only 1 different characters (at least 10)"),
        ("0123456789" + "x" * 50, "is mostly one character ('x' 50 times of 60)"),
        ("abcdefghij" * 6, "repeats a pattern"),
        # Ten letters, one of them half the key, in no pattern: about 126 bits for 50 characters.
        ("dadaajfieeaacbcaaaceffbbbaahadbaaacaaadgaaaacbgaaa", "is too predictable (about 126 bits of entropy"),
    ],
)
def test_an_obviously_weak_secret_key_is_refused_naming_the_reason(key, reason):
    assert secret_key_weakness(key).startswith(reason)
    result = run_manage({"SECRET_KEY": key, "DEBUG": "0", "SECURE_HTTPS": "0"}, "check")
    assert result.returncode != 0
    assert f"SECRET_KEY: {reason}" in result.stderr


def test_generated_and_strong_keys_are_accepted():

    assert [secret_key_weakness(secrets.token_urlsafe(50)) for _ in range(200)] == [None] * 200
    assert secret_key_weakness(STRONG_KEY) is None
    # A weak key stays usable for development: DEBUG is on, nothing is public.
    assert run_manage({"SECRET_KEY": "k" * 60, "DEBUG": "1"}, "check").returncode == 0


def test_check_deploy_is_clean_with_production_settings():
    """Production-like: DEBUG off, HTTPS on (its default), a strong key; the new CSP and logging too.

    The database is not migrated, so submissions.W001 (no Moderators member) stays silent: it only
    looks when the tables exist.
    """
    result = run_manage(
        {
            "SECRET_KEY": STRONG_KEY,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "manual.example.eu",
            "BASE_URL": "https://manual.example.eu",
            "HEADLESS_PREVIEW_CLIENT_URL": "https://front.example.eu",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_env_parses_values():
    env = Env({"FLAG": "yes", "COUNT": "3", "ITEMS": "a, b,,c", "LOCALES": "EN,ru,pt-br"})
    assert env.bool("FLAG") is True
    assert env.int("COUNT", 1, minimum=1) == 3
    assert env.list("ITEMS") == ["a", "b", "c"]
    assert env.locales("LOCALES", ["en"]) == ["en", "ru", "pt-br"]
    assert env.bool("MISSING", default=True) is True


def test_redis_url_is_checked_and_its_password_never_repeated():
    assert redis_url(Env({})) == ""  # no shared cache: the embedded default
    assert redis_url(Env({"REDIS_URL": "rediss://:s3cret@cache.internal:6380/2"})) == (
        "rediss://:s3cret@cache.internal:6380/2"
    )
    assert redis_url(Env({"REDIS_URL": "redis://cache.internal"})) == "redis://cache.internal"
    for wrong, reason in (
        ("memcached://:s3cret@cache:11211", "scheme must be redis or rediss"),
        ("redis://:s3cret@:6379/0", "with a host and a port"),
        ("redis://:s3cret@cache:port/0", "with a host and a port"),
        ("redis://:s3cret@cache:0/0", "with a host and a port"),
        ("redis://:s3cret@cache:6379/cache", "the path must be a database number"),
    ):
        with pytest.raises(ImproperlyConfigured, match=f"REDIS_URL: .*{reason}") as error:
            redis_url(Env({"REDIS_URL": wrong}))
        assert "s3cret" not in str(error.value)


def test_database_url_defaults_to_sqlite_and_parses_postgres(tmp_path):
    assert database_config(Env({}), tmp_path / "db.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    config = database_config(Env({"DATABASE_URL": "postgres://u:p@db.internal:5433/manual"}), tmp_path / "x")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "manual",
    )
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL: a database name is required"):
        database_config(Env({"DATABASE_URL": "postgres://u@db.internal:5432"}), tmp_path / "x")


def test_the_embedded_sqlite_database_logs_ahead_and_commits_without_waiting_for_the_disk(tmp_path, django_db_blocker):
    from django.db.backends.sqlite3.base import DatabaseWrapper  # noqa: PLC0415 - a connection of its own

    config = database_config(Env({}), tmp_path / "db.sqlite3")
    settings = {"TIME_ZONE": None, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "CONN_HEALTH_CHECKS": False}
    wrapper = DatabaseWrapper({**config, **settings})
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
    finally:
        wrapper.close()
    assert (journal, synchronous) == ("wal", 1)  # 1 is NORMAL; SQLite's default, FULL (2), syncs each commit


def test_ci_runs_the_suite_on_postgresql(db):
    """Under CI=true the suite must run on PostgreSQL: a missing service is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql", "CI=true but DATABASE_URL does not point at PostgreSQL"
    else:
        assert connection.vendor in {"postgresql", "sqlite"}


def test_a_map_tile_server_is_the_one_other_host_reader_pages_take_images_from():
    code = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    tiles = {"MAP_TILE_URL": "https://tiles.example.org:8443/{z}/{x}/{y}.png", "MAP_TILE_ATTRIBUTION": "Example"}
    with_tiles = run_manage({"SECRET_KEY": STRONG_KEY, **tiles}, "shell", "-c", code)
    assert with_tiles.returncode == 0, with_tiles.stderr
    assert with_tiles.stdout.strip().splitlines()[-1] == "[\"'self'\", 'data:', 'https://tiles.example.org:8443']"
    without = run_manage({"SECRET_KEY": STRONG_KEY}, "shell", "-c", code)
    assert without.stdout.strip().splitlines()[-1] == "[\"'self'\", 'data:']"
