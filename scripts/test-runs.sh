#!/usr/bin/env bash
# test-runs.sh [PYTEST ARGS] - the test runs of `make test`, inside one search engine (scripts/test.sh).
#
# 1. the whole suite (or PYTEST ARGS) on the throwaway PostgreSQL (scripts/with-postgres.sh);
# 2. for a whole-suite run, the leak matrix (tests/test_leak_matrix.py) again on SQLite, the
#    embedded default: "nothing unreviewed is public" must hold on both databases, with the engine
#    and with the database search driver (docs/roles.md, issue "The review promise holds").
#
# test-runs.sh --engine-tests: only the tests that talk to the engine (marker `engine`, set in
# tests/conftest.py), on the throwaway PostgreSQL: the second engine's run of scripts/test.sh.
# pytest's exit status 5 ("no tests ran") is turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    local status=0
    "$@" || status=$?
    if [ "$status" = 5 ]; then
        echo "test: pytest collected no tests; that is a failure" >&2
        return 1
    fi
    return "$status"
}

if [ "${1:-}" = --engine-tests ]; then
    echo "test: the engine tests on $SEARCH_ENGINE" >&2
    run scripts/with-postgres.sh .venv/bin/python -m pytest -q -p no:cacheprovider -m engine
    exit
fi

run scripts/with-postgres.sh .venv/bin/python -m pytest "$@"
if [ "$#" = 0 ]; then
    echo "test: the leak matrix on SQLite (the embedded default)" >&2
    DATABASE_URL='' run .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_leak_matrix.py
fi
