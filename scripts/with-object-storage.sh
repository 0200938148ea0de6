#!/usr/bin/env bash
#
# with-object-storage.sh - run a command against a throwaway S3-compatible server.
#
# Usage:
#   scripts/with-object-storage.sh COMMAND [ARGS...]
#
# Example:
#   scripts/with-object-storage.sh .venv/bin/python -m pytest -m object_storage
#   scripts/with-object-storage.sh scripts/run.sh     (the app with its files in buckets)
#
# Starts S3Proxy (scripts/object-storage.sh: a real S3 API over plain files)
# with its data in a fresh temporary directory, on a free port on 127.0.0.1,
# waits until it answers, makes the two buckets of docs/operations.md "Object
# storage" and runs COMMAND with
#
#   OBJECT_STORAGE_URL=http://127.0.0.1:PORT
#   OBJECT_STORAGE_ACCESS_KEY, OBJECT_STORAGE_SECRET_KEY (random, this run's)
#   OBJECT_STORAGE_PUBLIC_BUCKET=manual-public
#   OBJECT_STORAGE_PRIVATE_BUCKET=manual-private
#   OBJECT_STORAGE_PUBLIC_ACL=public-read
#
# The server and its directory are always removed afterwards, also on Ctrl-C /
# SIGTERM (and the server stops by itself if this script is killed outright),
# and the script exits with COMMAND's exit status. If the server does not
# answer within $OBJECT_STORAGE_START_TIMEOUT seconds (default 60), its log is
# printed and the script exits 1. The buckets are made with boto3 from the
# project's .venv (PYTHON overrides it).
#
set -euo pipefail

log() { printf 'with-object-storage: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$#" -eq 0 ]; then
    sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi

SCRIPTS_DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON="${PYTHON:-$SCRIPTS_DIR/../.venv/bin/python}"
[ -x "$PYTHON" ] || die "$PYTHON not found (make install-dev, or set PYTHON to a Python with boto3)"
START_TIMEOUT="${OBJECT_STORAGE_START_TIMEOUT:-60}"

"$SCRIPTS_DIR/object-storage.sh" --fetch

TMP_DIR=""
SERVER_PID=""
WATCHDOG_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap '' INT TERM
    if [ -n "$WATCHDOG_PID" ]; then
        kill "$WATCHDOG_PID" 2>/dev/null
        wait "$WATCHDOG_PID" 2>/dev/null
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "$TMP_DIR" ]; then
        rm -rf -- "$TMP_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP_DIR=$(mktemp -d -t with-object-storage.XXXXXX)
SERVER_LOG="$TMP_DIR/server.log"
# Another process could take the port before the server binds it: unlikely, and it shows as a
# start failure with the server's log.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') \
    || die "could not pick a free port (python3 needed)"
OBJECT_STORAGE_ACCESS_KEY="test-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
OBJECT_STORAGE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
export OBJECT_STORAGE_ACCESS_KEY OBJECT_STORAGE_SECRET_KEY

OBJECT_STORAGE_HOME="$TMP_DIR/server" OBJECT_STORAGE_PORT="$PORT" \
    "$SCRIPTS_DIR/object-storage.sh" </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
# Should this script die without cleaning up (SIGKILL), the server does not outlive it.
PARENT=$$
( while kill -0 "$PARENT" 2>/dev/null; do sleep 2; done; kill -TERM "$SERVER_PID" 2>/dev/null ) &
WATCHDOG_PID=$!

export OBJECT_STORAGE_URL="http://127.0.0.1:$PORT"
export OBJECT_STORAGE_PUBLIC_BUCKET="${OBJECT_STORAGE_PUBLIC_BUCKET:-manual-public}"
export OBJECT_STORAGE_PRIVATE_BUCKET="${OBJECT_STORAGE_PRIVATE_BUCKET:-manual-private}"
export OBJECT_STORAGE_PUBLIC_ACL=public-read

# Ready once it lists buckets for our identity; then the two buckets, both private: anonymous
# readers get only the public bucket's objects, each stored with the public-read ACL.
make_buckets() {
    "$PYTHON" - <<'PY' 2>>"$SERVER_LOG"
import os, sys
import boto3
from botocore.config import Config
client = boto3.client(
    "s3",
    endpoint_url=os.environ["OBJECT_STORAGE_URL"],
    aws_access_key_id=os.environ["OBJECT_STORAGE_ACCESS_KEY"],
    aws_secret_access_key=os.environ["OBJECT_STORAGE_SECRET_KEY"],
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, connect_timeout=1, retries={"max_attempts": 1}),
)
try:
    client.list_buckets()
except Exception:
    sys.exit(1)
for bucket in (os.environ["OBJECT_STORAGE_PUBLIC_BUCKET"], os.environ["OBJECT_STORAGE_PRIVATE_BUCKET"]):
    client.create_bucket(Bucket=bucket)
PY
}

start=$SECONDS
while ! make_buckets; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        SERVER_PID=""
        log "S3Proxy exited during start-up; log follows"
        cat "$SERVER_LOG" >&2 || true
        exit 1
    fi
    if [ $((SECONDS - start)) -ge "$START_TIMEOUT" ]; then
        log "S3Proxy not ready after ${START_TIMEOUT} s; log follows"
        cat "$SERVER_LOG" >&2 || true
        exit 1
    fi
    sleep 0.5
done

log "S3Proxy on $OBJECT_STORAGE_URL (ready after $((SECONDS - start)) s; data in $TMP_DIR/server)"

status=0
"$@" || status=$?
exit "$status"
