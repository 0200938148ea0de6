#!/usr/bin/env bash
#
# with-redis.sh - run a command against a throwaway Redis.
#
# Usage:
#   scripts/with-redis.sh COMMAND [ARGS...]
#
# Example:
#   scripts/with-redis.sh .venv/bin/python -m pytest tests/test_shared_caches.py
#   scripts/with-redis.sh make run
#
# Starts Debian's redis-server on a free port on 127.0.0.1, with nothing
# saved to disk and its directory in a fresh temporary folder, and runs
# COMMAND with
#
#   REDIS_URL=redis://127.0.0.1:PORT/0
#
# which switches the app's shared caches to it (docs/operations.md "Shared
# caches"); the tests use it for their app servers instead of starting their
# own (tests/support/shared_caches.py). The server and its folder are always
# removed afterwards, also on Ctrl-C / SIGTERM, and the script exits with
# COMMAND's exit status.
#
# Needs redis-server (Debian: apt-get install redis-server; scripts/bootstrap.sh
# installs it as root). The package's own service is never used.
#
set -euo pipefail

log() { printf 'with-redis: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$#" -eq 0 ]; then
    # Print the header comment as usage text.
    sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi

REDIS_SERVER=/usr/bin/redis-server
if [ ! -x "$REDIS_SERVER" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "redis-server not found; installing the 'redis-server' package"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
    else
        die "$REDIS_SERVER not found (Debian: apt-get install --no-install-recommends redis-server)"
    fi
fi

TMP_DIR=""
REDIS_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap '' INT TERM
    if [ -n "$REDIS_PID" ]; then
        kill -TERM "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    if [ -n "$TMP_DIR" ]; then
        rm -rf -- "$TMP_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP_DIR=$(mktemp -d -t with-redis.XXXXXX)
# Let the kernel choose a free port; another process grabbing it first shows up as a start failure.
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') \
    || die "could not pick a free port (python3 needed)"

"$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$TMP_DIR" --logfile "$TMP_DIR/redis.log" &
REDIS_PID=$!

redis_answers() {
    python3 - "$REDIS_PORT" <<'PY' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}
tries=0
until redis_answers; do
    tries=$((tries + 1))
    if ! kill -0 "$REDIS_PID" 2>/dev/null || [ "$tries" -ge 300 ]; then
        cat "$TMP_DIR/redis.log" >&2 || true
        die "redis-server did not start"
    fi
    sleep 0.1
done

log "Redis on 127.0.0.1:$REDIS_PORT (folder $TMP_DIR)"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

status=0
"$@" || status=$?
exit "$status"
