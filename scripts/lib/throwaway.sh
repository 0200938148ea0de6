# shellcheck shell=bash
#
# throwaway.sh - what every scripts/with-*.sh shares: start a service for one
# command, run the command, always tear the service down.
#
# Sourced (not run) by each wrapper right after `set -euo pipefail`:
#
#   # shellcheck source=scripts/lib/throwaway.sh
#   . "$(dirname "$0")/lib/throwaway.sh"
#   throwaway_begin "$@"        usage text (the wrapper's header comment) and
#                               exit 2 when no COMMAND is given; cleanup traps
#   throwaway_dir TMP_DIR       a fresh folder, its path in $TMP_DIR, removed at exit
#   on_exit stop_my_server      a function to run at exit (last registered
#                               runs first), also on Ctrl-C / SIGTERM
#   PORT=$(free_port)
#   wait_until_ready NAME TIMEOUT PID LOG CHECK [ARGS...]
#   throwaway_run "$@"          run COMMAND; exit with its status
#
# The wrappers differ only in how their service starts and answers; keeping
# the rest here means a fix to cleanup or signal handling reaches all of them.

THROWAWAY_NAME=$(basename "$0" .sh)
THROWAWAY_EXIT_FUNCTIONS=()

log() { printf '%s: %s\n' "$THROWAWAY_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck disable=SC2317  # invoked by the EXIT trap
_throwaway_cleanup() {
    local rc=$? i
    # Cleanup must run to the end even if a step fails or a second signal arrives.
    set +e
    trap '' INT TERM
    for ((i = ${#THROWAWAY_EXIT_FUNCTIONS[@]} - 1; i >= 0; i--)); do
        "${THROWAWAY_EXIT_FUNCTIONS[i]}"
    done
    exit "$rc"
}

throwaway_begin() {
    if [ "$#" -eq 0 ]; then
        # The wrapper's header comment, from its third line to `set -euo pipefail`, is its usage.
        sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
        exit 2
    fi
    command -v python3 >/dev/null 2>&1 || die "python3 is needed (free ports, readiness checks)"
    trap _throwaway_cleanup EXIT
    # Signals become a normal exit (128 + signal), so the EXIT trap cleans up.
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

on_exit() { THROWAWAY_EXIT_FUNCTIONS+=("$1"); }

# A folder for the service's data and log, removed at exit. Registered here, in
# the wrapper's shell (a command substitution would register it in a subshell).
THROWAWAY_DIRS=()
# shellcheck disable=SC2317  # invoked by _throwaway_cleanup
_throwaway_remove_dirs() {
    local dir
    for dir in "${THROWAWAY_DIRS[@]}"; do
        rm -rf -- "$dir"
    done
}
on_exit _throwaway_remove_dirs

# throwaway_dir VAR [PARENT]: make the folder (in PARENT, default $TMPDIR or /tmp) and set VAR to
# its path.
throwaway_dir() {
    local var=$1 dir
    dir=$(mktemp -d -p "${2:-${TMPDIR:-/tmp}}" "$THROWAWAY_NAME.XXXXXX")
    THROWAWAY_DIRS+=("$dir")
    printf -v "$var" '%s' "$dir"
}

# The kernel chooses a free port. Another process could take it before the
# service binds it: unlikely, and it shows as a start failure with the log.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
        || die "could not pick a free port"
}

# stop_process PID SECONDS: SIGTERM, then SIGKILL if it is still there after SECONDS.
stop_process() {
    local pid=$1 seconds=$2 _
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 $((seconds * 10))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "warning: pid $pid did not stop within $seconds s; killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# wait_until_ready WHAT TIMEOUT PID LOG CHECK [ARGS...]: poll CHECK (run in this
# shell, so it may set variables) until it succeeds. Exits 1 with LOG printed
# when the process PID ends first or TIMEOUT seconds pass. Prints nothing on
# success; READY_AFTER holds the seconds it took (for the wrapper's log line).
wait_until_ready() {
    local what=$1 timeout=$2 pid=$3 logfile=$4 start=$SECONDS rc
    shift 4
    until "$@"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null && rc=0 || rc=$?
            log "$what exited during start-up (status $rc); log follows"
            cat "$logfile" >&2 || true
            exit 1
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            log "$what not ready after $timeout s; log follows"
            cat "$logfile" >&2 || true
            exit 1
        fi
        sleep 0.25
    done
    # shellcheck disable=SC2034  # read by the wrappers
    READY_AFTER=$((SECONDS - start))
}

# apt_install PACKAGE WHY: install a Debian package when running as root with
# apt-get (CI, scripts/bootstrap.sh); otherwise say how and stop.
THROWAWAY_APT_UPDATED=0
apt_install() {
    local package=$1 why=$2
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "$why; installing the '$package' package"
        if [ "$THROWAWAY_APT_UPDATED" -eq 0 ]; then
            apt-get update -qq >&2
            THROWAWAY_APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >&2
    else
        die "$why (Debian, as root: apt-get install --no-install-recommends $package)"
    fi
}

throwaway_run() {
    local status=0
    "$@" || status=$?
    exit "$status"
}
