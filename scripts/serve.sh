#!/usr/bin/env bash
# serve.sh - serve the app as `make run` does, once the database is ready (scripts/run.sh prepares it).
#
# FRONT_PROXY=apache (the default): Apache listens on HOST:PORT and closes clients whose headers or
# body come slower than a minimum rate (mod_reqtimeout), handing the rest to nginx on
# 127.0.0.1:NGINX_PORT (default PORT+2), which buffers whole requests for gunicorn on a unix socket in
# $VAR_DIR/run; oversize bodies stop at Apache or nginx (docs/operations.md "Threats and limits").
# FRONT_PROXY=nginx: nginx alone on HOST:PORT (a body dripped faster than its timeout is then only
# bounded, not closed). FRONT_PROXY=none: gunicorn alone on HOST:PORT, for a deployment that has its
# own proxies in front. Apache and nginx come from Debian: installed with apt-get when missing and
# root; elsewhere the message says what to install.
#
# HTTP_CACHE=varnish (with nginx): Varnish between nginx and gunicorn caches what the app marks
# public and takes purges from the app on 127.0.0.1:VARNISH_PURGE_PORT (FRONTEND_CACHE_URL is set
# to it); docs/operations.md "HTTP cache". Installed from Debian like nginx. HTTP_CACHE=none (the
# default): no cache, as before.
#
# Stops every process when one ends or on SIGTERM/SIGINT.
set -euo pipefail
cd "$(dirname "$0")/.."

export VAR_DIR="${VAR_DIR:-$PWD/var}"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
FRONT_PROXY="${FRONT_PROXY:-apache}"
HTTP_CACHE="${HTTP_CACHE:-none}"
log() { printf 'serve: %s\n' "$*" >&2; }
# A Debian program: found on PATH or in /usr/sbin, else installed with apt-get when root.
debian_program() {
    local program="$1" package="$2" why="$3" found
    found="$(command -v "$program" || true)"
    [ -n "$found" ] || [ ! -x "/usr/sbin/$program" ] || found="/usr/sbin/$program"
    if [ -z "$found" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing $package with apt-get ($why)"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
            found="/usr/sbin/$program"
        else
            log "$program is missing (Debian: apt-get install $package)"
            return 1
        fi
    fi
    printf '%s\n' "$found"
}

case "$HTTP_CACHE" in
none) ;;
varnish)
    if [ "$FRONT_PROXY" = none ]; then
        log "HTTP_CACHE=varnish sits between nginx and gunicorn: it needs FRONT_PROXY=apache or nginx"
        exit 2
    fi
    ;;
*)
    log "HTTP_CACHE must be varnish or none, not '$HTTP_CACHE'"
    exit 2
    ;;
esac

case "$FRONT_PROXY" in
none)
    exec .venv/bin/gunicorn -c site_config/gunicorn.conf.py
    ;;
apache | nginx) ;;
*)
    log "FRONT_PROXY must be apache, nginx or none, not '$FRONT_PROXY'"
    exit 2
    ;;
esac

nginx_bin="$(debian_program nginx nginx "the buffering proxy in front of gunicorn")" || {
    log "or FRONT_PROXY=none to serve with gunicorn alone"
    exit 1
}

run_dir="$VAR_DIR/run"
mkdir -p "$run_dir"
chmod 700 "$run_dir"
export GUNICORN_BIND="unix:$run_dir/gunicorn.sock"
# nginx sets X-Forwarded-For to the client's address: the rate limit reads it from there.
export SUBMISSIONS_TRUSTED_PROXIES="${SUBMISSIONS_TRUSTED_PROXIES:-1}"
listen="$HOST:$PORT"
case "$HOST" in *:*) listen="[$HOST]:$PORT" ;; esac
nginx_listen="$listen" nginx_front=""
if [ "$FRONT_PROXY" = apache ]; then
    apache_bin="$(debian_program apache2 apache2 "the minimum-rate timeouts in front of nginx")" || {
        log "or FRONT_PROXY=nginx to serve with nginx alone"
        exit 1
    }
    apache_listen="$listen"
    nginx_listen="127.0.0.1:${NGINX_PORT:-$((PORT + 2))}" nginx_front=127.0.0.1
fi
upstream="$GUNICORN_BIND"
if [ "$HTTP_CACHE" = varnish ]; then
    varnish_bin="$(debian_program varnishd varnish "the HTTP cache between nginx and gunicorn")" || exit 1
    purge_port="${VARNISH_PURGE_PORT:-$((PORT + 1))}"
    export FRONTEND_CACHE_URL="${FRONTEND_CACHE_URL:-http://127.0.0.1:$purge_port}"
    vcl="$(.venv/bin/python manage.py varnish_vcl --backend "$GUNICORN_BIND" --output "$run_dir/default.vcl")"
    upstream="unix:$run_dir/varnish.sock"
fi
conf="$(.venv/bin/python manage.py nginx_conf --listen "$nginx_listen" --upstream "$upstream" --run-dir "$run_dir" \
    --client-timeout "${PROXY_CLIENT_TIMEOUT:-5}" --connections-per-address "${PROXY_CONNECTIONS_PER_ADDRESS:-100}" \
    ${nginx_front:+--trusted-front "$nginx_front"})"
"$nginx_bin" -t -q -e stderr -p "$run_dir" -c "$conf"
if [ "$FRONT_PROXY" = apache ]; then
    apache_conf="$(.venv/bin/python manage.py apache_conf --listen "$apache_listen" --upstream "$nginx_listen" \
        --run-dir "$run_dir" --client-timeout "${PROXY_CLIENT_TIMEOUT:-5}" --min-rate "${PROXY_MIN_RATE:-500}")"
    "$apache_bin" -t -f "$apache_conf" 2>/dev/null || { "$apache_bin" -t -f "$apache_conf"; exit 1; }
fi

gunicorn_pid="" nginx_pid="" varnish_pid="" apache_pid=""
stop() {
    [ -z "$apache_pid" ] || kill -TERM "$apache_pid" 2>/dev/null || true
    [ -z "$nginx_pid" ] || kill -TERM "$nginx_pid" 2>/dev/null || true
    [ -z "$varnish_pid" ] || kill -TERM "$varnish_pid" 2>/dev/null || true
    [ -z "$gunicorn_pid" ] || kill -TERM "$gunicorn_pid" 2>/dev/null || true
}
trap stop TERM INT HUP
.venv/bin/gunicorn -c site_config/gunicorn.conf.py &
gunicorn_pid=$!
if [ "$HTTP_CACHE" = varnish ]; then
    # -j none: runs as the user of `make run`, who owns the gunicorn socket's folder (mode 700).
    "$varnish_bin" -F -j none -n "$run_dir/varnish" -f "$vcl" \
        -a "http=$run_dir/varnish.sock,mode=600" -a "purge=127.0.0.1:$purge_port" \
        -s "malloc,${VARNISH_MEMORY:-256m}" &
    varnish_pid=$!
fi
"$nginx_bin" -e stderr -p "$run_dir" -c "$conf" &
nginx_pid=$!
if [ "$FRONT_PROXY" = apache ]; then
    "$apache_bin" -DFOREGROUND -f "$apache_conf" &
    apache_pid=$!
fi
status=0
# shellcheck disable=SC2086 # varnish_pid and apache_pid are empty without them
wait -n "$gunicorn_pid" "$nginx_pid" $varnish_pid $apache_pid || status=$?
stop
wait || true
exit "$status"
