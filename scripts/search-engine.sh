#!/usr/bin/env bash
#
# search-engine.sh - run the development search engine in the foreground.
#
# Usage:
#   scripts/search-engine.sh [NODE OPTIONS...]
#   scripts/search-engine.sh --build      (only build it, if needed)
#
# A real OpenSearch 2.19 node (single node, plain HTTP, no auth) embedded in
# the small Java launcher in search/engine/ (see docs/search-engine.md), or,
# with SEARCH_ENGINE=elasticsearch (`make search-engine ENGINE=elasticsearch`),
# an Elasticsearch 7.10.2 node from search/engine-elasticsearch/. It listens
# on http://127.0.0.1:$SEARCH_ENGINE_PORT and keeps its data under
# $VAR_DIR/search-engine/ (Elasticsearch: $VAR_DIR/search-engine-elasticsearch/),
# so indices survive restarts. Ctrl-C stops it cleanly.
#
# Environment:
#   SEARCH_ENGINE            elasticsearch, or opensearch (the default; also
#                            for auto or unset)
#   SEARCH_ENGINE_PORT       HTTP port (default 9200; 0 = any free port)
#   VAR_DIR                  (default var/ in the repository)
#   SEARCH_ENGINE_HOME       node home (default $VAR_DIR/search-engine, or
#                            $VAR_DIR/search-engine-elasticsearch)
#   SEARCH_ENGINE_HEAP       Java heap (default 512m)
#   SEARCH_ENGINE_JAVA_OPTS  extra JVM options
#
# NODE OPTIONS go to the launcher, e.g. "-E logger.level=debug",
# "--transport-port 9300", "--cluster-name x"; "--help" lists them.
#
# The launcher is built with Maven (search/engine/target/, or
# search/engine-elasticsearch/target/) the first time and whenever its pom.xml
# or its sources (or the shared search/engine-launcher/) are newer than the last
# build.
# Needs Java 17+ and Maven; if they are missing and we are root on a system
# with apt-get, they are installed; otherwise we stop and say so.
#
set -euo pipefail

log() { printf 'search-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--usage" ]; then
    # Print the header comment as usage text.
    sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi

cd "$(dirname "$0")/.."
ROOT=$PWD
# The two embedded engines: a Maven project each, with the same launcher options.
if [ "${SEARCH_ENGINE:-}" = elasticsearch ]; then
    PRODUCT=Elasticsearch
    ENGINE_DIR="$ROOT/search/engine-elasticsearch"
    MAIN_CLASS=eu.eparticipation.search.ManualElasticsearchNode
    DEFAULT_HOME=search-engine-elasticsearch
else
    PRODUCT=OpenSearch
    ENGINE_DIR="$ROOT/search/engine"
    MAIN_CLASS=eu.eparticipation.search.ManualSearchNode
    DEFAULT_HOME=search-engine
fi
TARGET="$ENGINE_DIR/target"
JAR="$TARGET/search-engine.jar"
# Written only after a successful build: a jar with a half-copied lib/ (an
# interrupted build) does not count as built.
STAMP="$TARGET/.build-stamp"

is_root() { [ "$(id -u)" -eq 0 ]; }

java_major() {
    # 'openjdk version "17.0.15" ...' -> 17 ; '"1.8.0_392"' -> 8
    java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        apt-get update >&2
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

ensure_tools() {
    local missing=()
    if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
        missing+=(openjdk-17-jdk-headless)
    fi
    if [ "${1:-}" = build ] && ! command -v mvn >/dev/null 2>&1; then
        missing+=(maven)
    fi
    [ "${#missing[@]}" -eq 0 ] && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]}"
        apt_install "${missing[@]}"
    else
        die "needs Java 17+ (java) and Maven (mvn) on PATH; missing: ${missing[*]}.
Install them first, e.g. as root on Debian/Ubuntu:
    apt-get install --no-install-recommends openjdk-17-jdk-headless maven"
    fi
    if ! { command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ]; }; then
        die "java 17+ still not found on PATH"
    fi
    if [ "${1:-}" = build ]; then
        command -v mvn >/dev/null 2>&1 || die "mvn still not found on PATH"
    fi
}

needs_build() {
    [ -f "$STAMP" ] && [ -f "$JAR" ] && [ -d "$TARGET/lib" ] || return 0
    # The shared half of the launcher (search/engine-launcher) is part of both builds.
    [ -n "$(find "$ENGINE_DIR/pom.xml" "$ENGINE_DIR/src" "$ROOT/search/engine-launcher/src" -newer "$STAMP" -print -quit)" ]
}

build() {
    mkdir -p "$TARGET"
    # Two scripts starting at once (e.g. parallel test runs) build only once.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$TARGET/.build-lock"
        flock 9
    fi
    if needs_build; then
        ensure_tools build
        log "building the $PRODUCT node (mvn package in ${ENGINE_DIR#"$ROOT/"}; the first build downloads 40-85 MB into ~/.m2, about a minute)"
        rm -f "$STAMP"
        local start=$SECONDS
        # (Debian's Maven 3.8 prints stray colour resets even in batch mode.)
        (cd "$ENGINE_DIR" && mvn -q -B -Dstyle.color=never package 2>&1) | sed 's/\x1b\[0m//g' >&2 \
            || die "build failed (cd ${ENGINE_DIR#"$ROOT/"} && mvn -B package)"
        touch "$STAMP"
        log "built in $((SECONDS - start)) s"
    fi
    if command -v flock >/dev/null 2>&1; then
        flock -u 9
        exec 9>&-
    fi
}

build
if [ "${1:-}" = "--build" ]; then
    exit 0
fi
ensure_tools

PORT="${SEARCH_ENGINE_PORT:-9200}"
VAR_DIR="${VAR_DIR:-var}"
NODE_HOME="${SEARCH_ENGINE_HOME:-$VAR_DIR/$DEFAULT_HOME}"
mkdir -p "$NODE_HOME/tmp" "$NODE_HOME/logs"
NODE_HOME=$(cd "$NODE_HOME" && pwd)
HEAP="${SEARCH_ENGINE_HEAP:-512m}"

JAVA_MAJOR=$(java_major)
JVM_OPTS=(
    # Small fixed heap: enough for the manual's indices, and it runs next to
    # PostgreSQL and the Python test suite on a 2-core machine.
    "-Xms$HEAP" "-Xmx$HEAP"
    -XX:+UseG1GC
    # Die at once on OOM instead of limping on (the distribution's bootstrap
    # does the same through its uncaught-exception handler).
    -XX:+ExitOnOutOfMemoryError
    "-XX:ErrorFile=$NODE_HOME/logs/hs_err_pid%p.log"
    "-Djava.io.tmpdir=$NODE_HOME/tmp"
    # The rest are the system options bin/opensearch always adds
    # (SystemJvmOptions of the 2.19 distribution; Elasticsearch 7.10's are the
    # same).
    -Xss1m
    -Djava.awt.headless=true
    -Dfile.encoding=UTF-8
    -Djna.nosys=true
    -XX:-OmitStackTraceInFastThrow
    -XX:+ShowCodeDetailsInExceptionMessages
    -Dio.netty.noUnsafe=true
    -Dio.netty.noKeySetOptimization=true
    -Dio.netty.recycler.maxCapacityPerThread=0
    -Dio.netty.allocator.numDirectArenas=0
    -Dlog4j.shutdownHookEnabled=false
    -Dlog4j2.disable.jmx=true
)
# Date parsing must behave like the distribution's: COMPAT locale data up to
# Java 22 (it is gone from Java 23 on).
if [ "$JAVA_MAJOR" -le 22 ]; then
    JVM_OPTS+=("-Djava.locale.providers=SPI,COMPAT")
else
    JVM_OPTS+=("-Djava.locale.providers=SPI,CLDR")
fi
# Direct (off-heap) buffers capped at half the heap, like the distribution's
# JVM ergonomics.
case "$HEAP" in
    *[0-9][mM]) JVM_OPTS+=("-XX:MaxDirectMemorySize=$(( ${HEAP%[mM]} / 2 ))m") ;;
    *[0-9][gG]) JVM_OPTS+=("-XX:MaxDirectMemorySize=$(( ${HEAP%[gG]} * 512 ))m") ;;
esac
# shellcheck disable=SC2206 # word splitting of the extra options is intended
JVM_OPTS+=(${SEARCH_ENGINE_JAVA_OPTS:-})

# exec: the JVM replaces this shell, so signals reach the node directly and
# its shutdown hook closes it cleanly.
exec java "${JVM_OPTS[@]}" -cp "$JAR:$TARGET/lib/*" "$MAIN_CLASS" \
    --home "$NODE_HOME" --port "$PORT" "$@"
