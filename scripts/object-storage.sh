#!/usr/bin/env bash
#
# object-storage.sh - run the development S3-compatible server in the foreground.
#
# Usage:
#   scripts/object-storage.sh            (serve until Ctrl-C)
#   scripts/object-storage.sh --fetch    (only fetch the server's jar, if needed)
#
# S3Proxy (org.gaul:s3proxy, its jar-with-dependencies from Maven Central)
# with the jclouds filesystem backend: a real S3 API (signatures, ACLs,
# multipart, copy) over plain files, for development and tests of the object
# storage settings (docs/operations.md "Object storage"). It listens on
# http://127.0.0.1:$OBJECT_STORAGE_PORT and keeps its buckets under
# $OBJECT_STORAGE_HOME (one folder per bucket), so files survive restarts.
# It refuses anonymous requests except GETs of objects stored with the
# public-read ACL (what the public bucket's files get, OBJECT_STORAGE_PUBLIC_ACL).
#
# Environment:
#   OBJECT_STORAGE_PORT        HTTP port (default 9000)
#   VAR_DIR                    (default var/ in the repository)
#   OBJECT_STORAGE_HOME        data folder (default $VAR_DIR/object-storage)
#   OBJECT_STORAGE_ACCESS_KEY  the one identity it accepts (default manual-dev)
#   OBJECT_STORAGE_SECRET_KEY  its secret (default manual-dev-secret)
#   OBJECT_STORAGE_JAVA_OPTS   extra JVM options
#
# The jar (about 40 MB) is fetched into the local Maven repository (~/.m2) with
# `mvn dependency:get` the first time. Needs Java 17+ and Maven; if they are
# missing and we are root on a system with apt-get, they are installed.
#
set -euo pipefail

log() { printf 'object-storage: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--usage" ]; then
    sed -n '3,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi

cd "$(dirname "$0")/.."

# 3.0.0 runs on Java 17 (the machine's default, like the search engine's).
S3PROXY_VERSION=3.0.0
JAR="${MAVEN_REPOSITORY:-$HOME/.m2/repository}/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"

ensure_tools() {
    local missing=()
    command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
    command -v mvn >/dev/null 2>&1 || [ -f "$JAR" ] || missing+=(maven)
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]}"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
    else
        die "needs Java 17+ and Maven on PATH; missing: ${missing[*]}"
    fi
}

fetch() {
    [ -f "$JAR" ] && return 0
    ensure_tools
    log "fetching org.gaul:s3proxy:$S3PROXY_VERSION (jar-with-dependencies) from Maven Central"
    # (Debian's Maven 3.8 prints stray colour resets even in batch mode.)
    mvn -q -B -Dstyle.color=never dependency:get \
        "-Dartifact=org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -Dtransitive=false 2>&1 \
        | sed 's/\x1b\[0m//g' >&2 || die "could not fetch the S3Proxy jar"
    [ -f "$JAR" ] || die "mvn ran but $JAR is missing (set MAVEN_REPOSITORY to the local repository)"
}

fetch
if [ "${1:-}" = "--fetch" ]; then
    exit 0
fi
ensure_tools

PORT="${OBJECT_STORAGE_PORT:-9000}"
VAR_DIR="${VAR_DIR:-var}"
HOME_DIR="${OBJECT_STORAGE_HOME:-$VAR_DIR/object-storage}"
mkdir -p "$HOME_DIR/data"
HOME_DIR=$(cd "$HOME_DIR" && pwd)
CONF="$HOME_DIR/s3proxy.conf"
umask 077
cat >"$CONF" <<CONF
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${OBJECT_STORAGE_ACCESS_KEY:-manual-dev}
s3proxy.credential=${OBJECT_STORAGE_SECRET_KEY:-manual-dev-secret}
jclouds.provider=filesystem
jclouds.filesystem.basedir=$HOME_DIR/data
CONF

# shellcheck disable=SC2206 # word splitting of the extra options is intended
JVM_OPTS=(-Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError "-Djava.io.tmpdir=$HOME_DIR" ${OBJECT_STORAGE_JAVA_OPTS:-})
exec java "${JVM_OPTS[@]}" -jar "$JAR" --properties "$CONF"
