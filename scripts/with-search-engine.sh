#!/usr/bin/env bash
#
# with-search-engine.sh - run a command against a throwaway search engine.
#
# Usage:
#   scripts/with-search-engine.sh COMMAND [ARGS...]
#
# Example:
#   scripts/with-search-engine.sh .venv/bin/python -m pytest
#   scripts/with-postgres.sh scripts/with-search-engine.sh .venv/bin/python -m pytest
#
# Starts a private OpenSearch 2.19 node, or with SEARCH_ENGINE=elasticsearch
# an Elasticsearch 7.10.2 node (scripts/search-engine.sh: embedded, single
# node, plain HTTP, no auth) with its data in a fresh temporary directory, on
# a free port on 127.0.0.1, waits until the cluster is at least yellow and
# runs COMMAND with
#
#   SEARCH_URL=http://127.0.0.1:PORT
#   SEARCH_ENGINE=opensearch (or elasticsearch)
#
# The node is built first if needed (Java 17+ and Maven; see
# scripts/search-engine.sh). The node and its directory are always removed
# afterwards, also on Ctrl-C / SIGTERM, and the script exits with COMMAND's
# exit status. If the node does not come up within
# $SEARCH_ENGINE_START_TIMEOUT seconds (default 120), its log is printed and
# the script exits 1.
#
# SEARCH_ENGINE_HEAP and SEARCH_ENGINE_JAVA_OPTS are passed on; the port, home
# and data directory are always private to this run.
#
set -euo pipefail

# shellcheck source=scripts/lib/throwaway.sh
. "$(dirname "$0")/lib/throwaway.sh"
throwaway_begin "$@"

SCRIPTS_DIR=$(cd "$(dirname "$0")" && pwd)
# The engine to start, as scripts/search-engine.sh chooses it; COMMAND gets its name.
if [ "${SEARCH_ENGINE:-}" = elasticsearch ]; then
    PRODUCT=Elasticsearch
else
    PRODUCT=OpenSearch
    SEARCH_ENGINE=opensearch
fi
export SEARCH_ENGINE
START_TIMEOUT="${SEARCH_ENGINE_START_TIMEOUT:-120}"

# Build (if needed) before the clock starts; its output goes to stderr.
"$SCRIPTS_DIR/search-engine.sh" --build

NODE_PID=""
# The node closes itself on SIGTERM (shutdown hook), normally in well under a second.
# shellcheck disable=SC2317  # invoked at exit
stop_node() { stop_process "$NODE_PID" 30; }
on_exit stop_node

throwaway_dir TMP_DIR
NODE_LOG="$TMP_DIR/node.log"
PORT_FILE="$TMP_DIR/http.port"

# Port 0: the node binds a free port itself (no race with other processes)
# and writes the one it got to $PORT_FILE once it is up. --parent-pid: should
# this script be killed without a chance to clean up (SIGKILL), the node
# notices and stops by itself.
SEARCH_ENGINE_HOME="$TMP_DIR/node" SEARCH_ENGINE_PORT=0 \
    "$SCRIPTS_DIR/search-engine.sh" \
    --transport-port 0 \
    --cluster-name with-search-engine \
    --port-file "$PORT_FILE" \
    --parent-pid "$$" \
    </dev/null >"$NODE_LOG" 2>&1 &
NODE_PID=$!

# 200 = yellow or green within the 1 s wait; anything else (408 timeout,
# connection refused, ...) means not yet.
# shellcheck disable=SC2317  # called by node_ready
health_ok() {
    python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
url = sys.argv[1] + "/_cluster/health?wait_for_status=yellow&timeout=1s"
try:
    with urllib.request.urlopen(url, timeout=5) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

# Ready once the node has written its port and answers yellow or green.
SEARCH_URL=""
# shellcheck disable=SC2317  # called by wait_until_ready
node_ready() {
    if [ -z "$SEARCH_URL" ] && [ -s "$PORT_FILE" ]; then
        SEARCH_URL="http://127.0.0.1:$(cat "$PORT_FILE")"
    fi
    [ -n "$SEARCH_URL" ] && health_ok "$SEARCH_URL"
}
wait_until_ready "the search engine" "$START_TIMEOUT" "$NODE_PID" "$NODE_LOG" node_ready

log "$PRODUCT on $SEARCH_URL (ready after $READY_AFTER s; data in $TMP_DIR/node)"

export SEARCH_URL

throwaway_run "$@"
