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

log() { printf 'with-search-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$#" -eq 0 ]; then
    # Print the header comment as usage text.
    sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi

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

command -v python3 >/dev/null 2>&1 || die "python3 is needed (to poll the node's HTTP API)"

# Build (if needed) before the clock starts; its output goes to stderr.
"$SCRIPTS_DIR/search-engine.sh" --build

TMP_DIR=""
NODE_PID=""

# shellcheck disable=SC2317  # called by cleanup, the EXIT trap
stop_node() {
    [ -n "$NODE_PID" ] || return 0
    if kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null
        # The node closes itself on SIGTERM (shutdown hook), normally in
        # well under a second; give it 30 s before pulling the plug.
        for _ in $(seq 1 300); do
            kill -0 "$NODE_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$NODE_PID" 2>/dev/null; then
            log "warning: node (pid $NODE_PID) did not stop within 30 s; killing it"
            kill -KILL "$NODE_PID" 2>/dev/null
        fi
    fi
    wait "$NODE_PID" 2>/dev/null
    NODE_PID=""
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    # Cleanup must run to the end even if a step fails or a second signal
    # arrives.
    set +e
    trap '' INT TERM
    stop_node
    if [ -n "$TMP_DIR" ]; then
        rm -rf -- "$TMP_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
# Turn signals into a normal exit (128+signal) so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

TMP_DIR=$(mktemp -d -t with-search-engine.XXXXXX)
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

start=$SECONDS
SEARCH_URL=""
while :; do
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
        wait "$NODE_PID" 2>/dev/null && node_rc=0 || node_rc=$?
        NODE_PID=""
        log "search engine exited during start-up (status $node_rc); log follows"
        cat "$NODE_LOG" >&2 || true
        exit 1
    fi
    if [ -z "$SEARCH_URL" ] && [ -s "$PORT_FILE" ]; then
        SEARCH_URL="http://127.0.0.1:$(cat "$PORT_FILE")"
    fi
    if [ -n "$SEARCH_URL" ] && health_ok "$SEARCH_URL"; then
        break
    fi
    if [ $((SECONDS - start)) -ge "$START_TIMEOUT" ]; then
        log "search engine not ready after ${START_TIMEOUT} s; log follows"
        cat "$NODE_LOG" >&2 || true
        exit 1
    fi
    sleep 0.25
done

log "$PRODUCT on $SEARCH_URL (ready after $((SECONDS - start)) s; data in $TMP_DIR/node)"

export SEARCH_URL

status=0
"$@" || status=$?
exit "$status"
