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
# shellcheck source=scripts/lib/throwaway.sh
. "$(dirname "$0")/lib/throwaway.sh"
throwaway_begin "$@"

REDIS_SERVER=/usr/bin/redis-server
[ -x "$REDIS_SERVER" ] || apt_install redis-server "$REDIS_SERVER not found"

REDIS_PID=""
# shellcheck disable=SC2317  # invoked at exit
stop_redis() { stop_process "$REDIS_PID" 10; }
on_exit stop_redis

throwaway_dir TMP_DIR
REDIS_PORT=$(free_port)

"$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$TMP_DIR" --logfile "$TMP_DIR/redis.log" &
REDIS_PID=$!

# shellcheck disable=SC2317  # called by wait_until_ready
redis_answers() {
    python3 - "$REDIS_PORT" <<'PY' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}
wait_until_ready redis-server 30 "$REDIS_PID" "$TMP_DIR/redis.log" redis_answers

log "Redis on 127.0.0.1:$REDIS_PORT (folder $TMP_DIR)"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

throwaway_run "$@"
