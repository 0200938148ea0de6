#!/usr/bin/env bash
# bootstrap.sh REQUIREMENTS_FILE - create .venv (Python >= 3.11) and install the pinned packages.
#
# Installs only when the requirements changed since the last install (a stamp file in .venv), so
# `make run` and `make test` stay fast on a second run. On Debian as root, a missing python3-venv
# is installed with apt-get; elsewhere the message says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements="${1:?usage: scripts/bootstrap.sh requirements.txt|requirements-dev.txt}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # the browser tests use Debian's Chromium, never a downloaded one
log() { printf 'bootstrap: %s\n' "$*" >&2; }

find_python() {
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    python="$(find_python)" || { log "Python 3.11 or newer is required (Debian: apt-get install python3 python3-venv)"; exit 1; }
    if ! "$python" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "installing python3-venv with apt-get"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv .venv
        else
            log "cannot create a virtualenv with $python (Debian: apt-get install python3-venv)"
            exit 1
        fi
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
fi

# requirements.txt and requirements-dev.txt are compiled from requirements*.in with a hash for every
# file (docs/dependencies.md): pip refuses anything unpinned, unhashed or with another hash.
# requirements-dev.txt holds the runtime pins too, so either file alone is a whole install.
stamp=".venv/.installed-$(basename "$requirements")-$(cat requirements*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    log "installing $requirements into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$requirements"
    rm -f .venv/.installed-"$(basename "$requirements")"-*
    touch "$stamp"
fi

# Interface translations (docs/translations.md): locale/*/LC_MESSAGES/*.po are committed, the .mo
# files are not; compile them when one is missing or older than its .po. msgfmt comes from GNU
# gettext: installed with apt-get on Debian as root; elsewhere the message says what to install
# (the interface then stays in English; under CI=true that is a failure).
stale_translations() {
    local po
    for po in locale/*/LC_MESSAGES/*.po; do
        [ -f "$po" ] || continue
        if [ ! -f "${po%.po}.mo" ] || [ "$po" -nt "${po%.po}.mo" ]; then
            return 0
        fi
    done
    return 1
}

if stale_translations; then
    if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing gettext with apt-get (to compile the interface translations)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
    fi
    if command -v msgfmt >/dev/null 2>&1; then
        log "compiling the interface translations (locale/)"
        compile_var="$(mktemp -d)"
        # Only LOCALE_PATHS is read: a throwaway key and VAR_DIR let settings load before `make run` made them.
        SECRET_KEY="bootstrap-compilemessages-only-key-00000000000000000000" VAR_DIR="$compile_var" \
            .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=search/engine -v 0
        rm -rf "$compile_var"
    else
        log "GNU gettext (msgfmt) is missing: the interface stays in English (Debian: apt-get install gettext)"
        if [ "${CI:-}" = true ]; then exit 1; fi
    fi
fi

# Browser tests (tests/browser, docs/browser-tests.md), for the development install only: Playwright
# (requirements-dev.txt) drives Debian's Chromium at /usr/bin/chromium and injects axe-core from npm
# (package.json, package-lock.json). No tool ever downloads a browser of its own. Chromium, Node.js and
# npm are installed with apt-get on Debian as root; elsewhere the message says what to install and
# the browser tests are skipped (under CI=true that is a failure).
if [ "$(basename "$requirements")" = requirements-dev.txt ]; then
    can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
    apt_updated=0
    apt_install() {
        if [ "$apt_updated" = 0 ]; then apt-get update -qq && apt_updated=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    }

    if [ ! -x /usr/bin/chromium ]; then
        if can_apt; then
            log "installing Debian's chromium with apt-get (for the browser tests)"
            apt_install chromium || { log "could not install chromium"; if [ "${CI:-}" = true ]; then exit 1; fi; }
        else
            log "/usr/bin/chromium is missing: the browser tests are skipped (Debian: apt-get install chromium)"
            if [ "${CI:-}" = true ]; then exit 1; fi
        fi
    fi

    # Debian programs of the served stack that the tests start (scripts/serve.sh; nginx itself is
    # installed by serve.sh when missing): Varnish, the HTTP cache that tests/test_http_cache.py puts
    # between nginx and gunicorn (HTTP_CACHE=varnish), and Apache in front of nginx (FRONT_PROXY=apache),
    # whose minimum-rate timeouts close slow-dripping clients (tests/test_serving.py).
    debian_program() {
        local program="$1" package="$2" tests="$3"
        if command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ]; then return 0; fi
        if can_apt; then
            log "installing Debian's $package with apt-get (for $tests)"
            apt_install "$package" || { log "could not install $package"; if [ "${CI:-}" = true ]; then exit 1; fi; }
        else
            log "$program is missing: $tests fail (Debian: apt-get install $package)"
            if [ "${CI:-}" = true ]; then exit 1; fi
        fi
    }
    debian_program varnishd varnish "the HTTP cache tests"
    debian_program apache2 apache2 "the serving tests"

    # Redis, the shared cache of several app servers that tests/test_shared_caches.py starts on loopback
    # (tests/support/shared_caches.py, scripts/with-redis.sh; docs/operations.md "Shared caches").
    debian_program redis-server redis-server "the shared cache tests"

    axe_stamp="node_modules/.installed-$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
    if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f "$axe_stamp" ]; then
        if ! command -v npm >/dev/null 2>&1 && can_apt; then
            log "installing Node.js and npm with apt-get (for axe-core in the browser tests)"
            apt_install nodejs npm || log "could not install nodejs and npm"
        fi
        if command -v npm >/dev/null 2>&1; then
            log "installing axe-core from package-lock.json (npm ci)"
            if npm ci --no-audit --no-fund --loglevel=error >&2; then
                touch "$axe_stamp"
            else
                log "npm ci failed: the browser tests are skipped"
                if [ "${CI:-}" = true ]; then exit 1; fi
            fi
        else
            log "npm is missing: the browser tests are skipped (Debian: apt-get install nodejs npm)"
            if [ "${CI:-}" = true ]; then exit 1; fi
        fi
    fi
fi
