#!/usr/bin/env bash
# test.sh [PYTEST ARGS] - the whole suite on a throwaway PostgreSQL (scripts/with-postgres.sh) and
# a throwaway OpenSearch node built from Maven Central jars (scripts/with-search-engine.sh), then
# the leak matrix on SQLite with the same node (scripts/test-runs.sh). The node starts once, and so
# does a throwaway S3 server (S3Proxy, scripts/with-object-storage.sh) for the object storage tests
# (tests/test_object_storage.py, marker `object_storage`).
# Then, for a whole-suite run, the engine tests (marker `engine`) again on a throwaway
# Elasticsearch 7.10 node (scripts/test-runs.sh --engine-tests): both engines the adapters support
# answer every engine test (docs/search-engine.md). That node starts once too, after the first
# has stopped.
#
# Under CI=true nothing is skipped: a service that cannot be provisioned fails the run.
# pytest's exit status 5 ("no tests ran") is turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/with-search-engine.sh scripts/with-object-storage.sh scripts/test-runs.sh "$@"
if [ "$#" = 0 ]; then
    SEARCH_ENGINE=elasticsearch exec scripts/with-search-engine.sh scripts/test-runs.sh --engine-tests
fi
