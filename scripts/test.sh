#!/usr/bin/env bash
# test.sh [PYTEST ARGS] - the whole suite on a throwaway PostgreSQL (scripts/with-postgres.sh) and
# a throwaway OpenSearch node built from Maven Central jars (scripts/with-search-engine.sh).
#
# Under CI=true nothing is skipped: a service that cannot be provisioned fails the run.
# pytest's exit status 5 ("no tests ran") is turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
scripts/with-postgres.sh scripts/with-search-engine.sh .venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "test: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$status"
