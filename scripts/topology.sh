#!/usr/bin/env bash
# topology.sh - the many-machines topology end to end (bench/topology.py; docs/operations.md "Topology"):
# throwaway PostgreSQL, S3Proxy and Redis around a 2-node OpenSearch cluster (started by
# bench/topology.py through bench/search_cluster.py), two app servers, a worker, nginx and Apache.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-postgres.sh scripts/with-object-storage.sh scripts/with-redis.sh .venv/bin/python bench/topology.py "$@"
