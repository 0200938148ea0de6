#!/usr/bin/env bash
# test.sh [PYTEST ARGS] - the whole suite on a throwaway PostgreSQL (scripts/with-postgres.sh) and
# a throwaway OpenSearch node built from Maven Central jars (scripts/with-search-engine.sh), then
# the leak matrix on SQLite with the same node (scripts/test-runs.sh). The node starts once.
#
# Under CI=true nothing is skipped: a service that cannot be provisioned fails the run.
# pytest's exit status 5 ("no tests ran") is turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

exec scripts/with-search-engine.sh scripts/test-runs.sh "$@"
