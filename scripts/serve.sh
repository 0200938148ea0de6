#!/usr/bin/env bash
# serve.sh - serve the app as `make run` does, once the database is ready (scripts/run.sh prepares it).
#
# FRONT_PROXY=nginx (the default): nginx listens on HOST:PORT and hands complete requests to gunicorn
# on a unix socket in $VAR_DIR/run; slow clients and oversize bodies stop at nginx (docs/operations.md
# "Threats and limits"). nginx comes from Debian: installed with apt-get when missing and root;
# elsewhere the message says what to install. FRONT_PROXY=none: gunicorn alone on HOST:PORT, for a
# deployment that has its own buffering proxy in front.
#
# Stops both processes when either ends or on SIGTERM/SIGINT.
set -euo pipefail
cd "$(dirname "$0")/.."

export VAR_DIR="${VAR_DIR:-$PWD/var}"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
FRONT_PROXY="${FRONT_PROXY:-nginx}"
log() { printf 'serve: %s\n' "$*" >&2; }

case "$FRONT_PROXY" in
none)
    exec .venv/bin/gunicorn -c site_config/gunicorn.conf.py
    ;;
nginx) ;;
*)
    log "FRONT_PROXY must be nginx or none, not '$FRONT_PROXY'"
    exit 2
    ;;
esac

nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing nginx with apt-get (the buffering proxy in front of gunicorn)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
        nginx_bin=/usr/sbin/nginx
    else
        log "nginx is missing (Debian: apt-get install nginx); or FRONT_PROXY=none to serve with gunicorn alone"
        exit 1
    fi
fi

run_dir="$VAR_DIR/run"
mkdir -p "$run_dir"
chmod 700 "$run_dir"
export GUNICORN_BIND="unix:$run_dir/gunicorn.sock"
# nginx sets X-Forwarded-For to the client's address: the rate limit reads it from there.
export SUBMISSIONS_TRUSTED_PROXIES="${SUBMISSIONS_TRUSTED_PROXIES:-1}"
listen="$HOST:$PORT"
case "$HOST" in *:*) listen="[$HOST]:$PORT" ;; esac
conf="$(.venv/bin/python manage.py nginx_conf --listen "$listen" --upstream "$GUNICORN_BIND" --run-dir "$run_dir" \
    --client-timeout "${PROXY_CLIENT_TIMEOUT:-5}" --connections-per-address "${PROXY_CONNECTIONS_PER_ADDRESS:-100}")"
"$nginx_bin" -t -q -e stderr -p "$run_dir" -c "$conf"

gunicorn_pid="" nginx_pid=""
stop() {
    [ -z "$nginx_pid" ] || kill -TERM "$nginx_pid" 2>/dev/null || true
    [ -z "$gunicorn_pid" ] || kill -TERM "$gunicorn_pid" 2>/dev/null || true
}
trap stop TERM INT HUP
.venv/bin/gunicorn -c site_config/gunicorn.conf.py &
gunicorn_pid=$!
"$nginx_bin" -e stderr -p "$run_dir" -c "$conf" &
nginx_pid=$!
status=0
wait -n "$gunicorn_pid" "$nginx_pid" || status=$?
stop
wait || true
exit "$status"
