#!/usr/bin/env bash
# run.sh - the embedded default: SQLite, database search driver, demo content, nginx in front of
# gunicorn (scripts/serve.sh; FRONT_PROXY=none for gunicorn alone).
#
# Everything is idempotent, so a second run keeps the data (and the admin password).
set -euo pipefail
cd "$(dirname "$0")/.."

export VAR_DIR="${VAR_DIR:-$PWD/var}"
mkdir -p "$VAR_DIR"
if [ -z "${SECRET_KEY:-}" ] && [ ! -s "$VAR_DIR/secret_key" ]; then
    # Generated once and kept, so sessions survive restarts. The settings read this file when
    # SECRET_KEY is unset, so `.venv/bin/python manage.py ...` run by hand uses the same key.
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))' > "$VAR_DIR/secret_key")
fi
# Served over plain HTTP on loopback: HTTPS-only cookies and redirects would lock the admin out.
export SECURE_HTTPS="${SECURE_HTTPS:-0}"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"

manage() { .venv/bin/python manage.py "$@"; }
manage migrate --no-input -v 0
manage createcachetable  # the database caches (rate limits, sitemap files), shared by all gunicorn workers
manage sync_locales
manage load_demo_manual
manage search_index rebuild  # cheap for the demo; brings an index made before an upgrade up to date
manage export_cases  # the open-data dumps of /api/v1/export/ (docs/open-data.md)
manage ensure_admin
manage collectstatic --no-input -v 0
echo "serving the manual on http://$HOST:$PORT/en/ (admin: http://$HOST:$PORT/admin/)"
exec scripts/serve.sh
