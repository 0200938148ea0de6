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
# shellcheck source=scripts/lib/throwaway.sh
. "$(dirname "$0")/lib/throwaway.sh"
throwaway_begin "$@"

SCRIPTS_DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON="${PYTHON:-$SCRIPTS_DIR/../.venv/bin/python}"
[ -x "$PYTHON" ] || die "$PYTHON not found (make install-dev, or set PYTHON to a Python with boto3)"
START_TIMEOUT="${OBJECT_STORAGE_START_TIMEOUT:-60}"

"$SCRIPTS_DIR/object-storage.sh" --fetch

SERVER_PID=""
WATCHDOG_PID=""
# shellcheck disable=SC2317  # invoked at exit
stop_server() {
    stop_process "$WATCHDOG_PID" 1
    stop_process "$SERVER_PID" 10
}
on_exit stop_server

throwaway_dir TMP_DIR
SERVER_LOG="$TMP_DIR/server.log"
PORT=$(free_port)
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
# shellcheck disable=SC2317  # called by wait_until_ready
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

wait_until_ready S3Proxy "$START_TIMEOUT" "$SERVER_PID" "$SERVER_LOG" make_buckets

log "S3Proxy on $OBJECT_STORAGE_URL (ready after $READY_AFTER s; data in $TMP_DIR/server)"

throwaway_run "$@"
