#!/usr/bin/env bash
# build-map-shapes.sh - regenerate manual/data/country_shapes.json, the country shapes of the reader's map.
#
# Fetches world-atlas (ISC; Natural Earth's public-domain shapes) from the npm registry with
# `npm pack` (npm checks the tarball against the registry's integrity hash) into a temporary
# directory, and converts its 1:50m countries with scripts/build_map_shapes.py. The service only
# reads the committed JSON: neither `make install` nor a running service needs npm or the network.
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.0.2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "world-atlas@$version" >/dev/null && tar xzf "world-atlas-$version.tgz")
.venv/bin/python scripts/build_map_shapes.py "$work/package/countries-50m.json" manual/data/country_shapes.json
