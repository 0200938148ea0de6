#!/usr/bin/env bash
# topology.sh - the many-machines topology end to end (bench/topology.py; docs/operations.md "Topology"):
# throwaway PostgreSQL, OpenSearch, S3Proxy and Redis around two app servers, a worker and nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-postgres.sh scripts/with-search-engine.sh scripts/with-object-storage.sh scripts/with-redis.sh .venv/bin/python bench/topology.py "$@"
