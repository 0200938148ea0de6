#!/usr/bin/env bash
#
# with-postgres.sh - run a command against a throwaway PostgreSQL server.
#
# Usage:
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# Example:
#   scripts/with-postgres.sh python manage.py test
#
# Creates a private PostgreSQL cluster in a fresh temporary directory,
# starts it on a free port on 127.0.0.1, creates the database "manual" and
# runs COMMAND with
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:PORT/manual
#
# Authentication is "trust" and "postgres" is a superuser, so Django's test
# runner can create (and drop) "test_manual" itself. The cluster and its
# directory are always removed afterwards, also on Ctrl-C / SIGTERM, and the
# script exits with COMMAND's exit status.
#
# Needs the PostgreSQL server binaries (Debian: /usr/lib/postgresql/*/bin).
# If they are missing and we are root on a system with apt-get, the
# "postgresql" package is installed; otherwise we stop and say so. The
# package's own default cluster is never used.
#
set -euo pipefail

# shellcheck source=scripts/lib/throwaway.sh
. "$(dirname "$0")/lib/throwaway.sh"
throwaway_begin "$@"

is_root() { [ "$(id -u)" -eq 0 ]; }

# Newest PostgreSQL bin dir that has both initdb and pg_ctl (Debian layout
# keeps server binaries off PATH, one directory per major version).
find_pg_bin() {
    local dir
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

PG_BIN=$(find_pg_bin) || PG_BIN=
if [ -z "$PG_BIN" ]; then
    apt_install postgresql "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin"
    PG_BIN=$(find_pg_bin) || die "installed 'postgresql' but found no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
fi
PG_MAJOR=$(basename "$(dirname "$PG_BIN")")

# initdb refuses to run as root, so as root the cluster belongs to the
# unprivileged 'postgres' user that the Debian package creates.
if is_root; then
    getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user to own the cluster (install the 'postgresql' package or run as a normal user)"
fi

PG_DATA=""

# Run a server-side command as the cluster owner. cd first: postgres may not
# be allowed into the caller's working directory (e.g. /root).
as_owner() {
    if is_root; then
        if command -v runuser >/dev/null 2>&1; then
            (cd "$TMP_DIR" && runuser -u postgres -- "$@")
        else
            (cd "$TMP_DIR" && setpriv --reuid=postgres --regid=postgres --init-groups -- "$@")
        fi
    else
        "$@"
    fi
}

# shellcheck disable=SC2317  # invoked at exit
stop_server() {
    if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || log "warning: could not stop the server in $PG_DATA"
    fi
}
on_exit stop_server

throwaway_dir TMP_DIR
if is_root; then
    chown postgres: "$TMP_DIR"
    # $TMPDIR may sit somewhere postgres cannot reach (e.g. under /root);
    # /tmp is always traversable.
    if ! as_owner test -w "$TMP_DIR" 2>/dev/null; then
        throwaway_dir TMP_DIR /tmp
        chown postgres: "$TMP_DIR"
    fi
fi
PG_DATA="$TMP_DIR/data"
PG_LOG="$TMP_DIR/postgres.log"

# C.UTF-8 gives UTF-8 with plain byte-order collation, so results do not
# depend on the host's locales; some older systems lack it, hence plain C.
init_cluster() {
    as_owner "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres \
        --encoding=UTF8 --locale="$1" >"$TMP_DIR/initdb.log" 2>&1
}
if ! init_cluster C.UTF-8; then
    rm -rf -- "$PG_DATA"
    if ! init_cluster C; then
        cat "$TMP_DIR/initdb.log" >&2
        die "initdb failed"
    fi
fi

# Let the kernel choose a free port. Another process could grab it before
# the server binds it; that race is unlikely and shows up as a start failure.
PG_PORT=$(free_port)

# Durability settings are off because the data is thrown away anyway; this
# makes Django's test database setup much faster. The socket lives in our
# temp dir so we never touch /var/run/postgresql.
cat >>"$PG_DATA/postgresql.conf" <<CONF

# --- added by with-postgres.sh ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null; then
    log "server failed to start; log follows"
    cat "$PG_LOG" >&2 || true
    exit 1
fi

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres manual

log "PostgreSQL $PG_MAJOR on 127.0.0.1:$PG_PORT (data in $PG_DATA)"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/manual"

throwaway_run "$@"
