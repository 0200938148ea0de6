#!/usr/bin/env bash
# fuzz-api.sh [SCHEMATHESIS ARGS] - prove the served API against its own OpenAPI document.
#
# Serves the app with gunicorn on a free loopback port, from a throwaway VAR_DIR with SQLite and
# the demo manual (as `make run` prepares it), then runs schemathesis over /api/v1/openapi.json:
# coverage, fuzzing and stateful phases (POST /submissions -> GET/PUT through the OpenAPI links),
# FUZZ_MAX_EXAMPLES (default 100) examples per operation, with the checks not_a_server_error,
# status_code_conformance, content_type_conformance and response_schema_conformance. Exits
# non-zero on any failure; the server is stopped and VAR_DIR removed either way.
#
# That served instance has the submissions rate limit off (SUBMISSIONS_RATE_LIMIT=0) and the
# default NoCaptcha verifier: thousands of generated submissions from one address would otherwise be
# answered 429 after the fifth, and the fuzzer would test the limiter instead of the validators.
# The limiter itself is covered by tests/test_submissions_*.py. See docs/api.md "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

log() { printf 'fuzz-api: %s\n' "$*" >&2; }

var_dir="$(mktemp -d)"
server_pid=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$var_dir"
}
trap cleanup EXIT

port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export VAR_DIR="$var_dir" HOST=127.0.0.1 PORT="$port"
export DATABASE_URL="" SEARCH_URL="" SECURE_HTTPS=0 DEBUG=0
export SECRET_KEY="fuzz-api-only-throwaway-key-0000000000000000000000000000"
export SUBMISSIONS_RATE_LIMIT=0 SUBMISSIONS_CAPTCHA_VERIFIER=submissions.services.captcha.NoCaptcha
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}" GUNICORN_THREADS=2 GUNICORN_ACCESS_LOG="$var_dir/access.log"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"

# The system checks' warnings (no moderator e-mail) are about a production set-up: kept in a log shown on failure.
manage() { .venv/bin/python manage.py "$@" >>"$var_dir/prepare.log" 2>&1 || { cat "$var_dir/prepare.log" >&2; exit 1; }; }
log "preparing a throwaway instance in $var_dir"
manage migrate --no-input -v 0
manage createcachetable
manage sync_locales
manage load_demo_manual
manage search_index rebuild
manage collectstatic --no-input -v 0

.venv/bin/gunicorn -c site_config/gunicorn.conf.py >"$var_dir/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    if .venv/bin/python -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "$base/api/v1/openapi.json" 2>/dev/null; then
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$var_dir/server.log" >&2; log "the server did not start"; exit 1; }
    sleep 0.2
done

log "instance ready in ${SECONDS} s; fuzzing $base/api/v1/openapi.json"
status=0
started=$SECONDS
# From VAR_DIR: Schemathesis keeps its working files (.schemathesis/) in the current directory.
(cd "$var_dir" && "$repo/.venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --phases=coverage,fuzzing,stateful \
    --checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples="${FUZZ_MAX_EXAMPLES:-100}" \
    --workers="${FUZZ_WORKERS:-2}" \
    --request-timeout=30 \
    --generation-database=none \
    --seed="${FUZZ_SEED:-$RANDOM}" \
    --no-color \
    "$@") || status=$?
log "schemathesis finished in $((SECONDS - started)) s with status $status"
if grep -q -E "Traceback|Internal Server Error" "$var_dir/server.log"; then
    log "the server logged errors:"
    grep -E -B2 -A30 "Traceback" "$var_dir/server.log" | tail -120 >&2
    status=1
fi
exit "$status"
