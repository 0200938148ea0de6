"""Reader pages through the HTTP cache: cached (Varnish's HIT) against uncached (prints figures).

    .venv/bin/python bench/http_cache.py                  # starts scripts/run.sh with HTTP_CACHE=varnish
    .venv/bin/python bench/http_cache.py --front-proxy nginx   # without Apache in front (one hop less)
    .venv/bin/python bench/http_cache.py --requests 400   # more requests per page and kind
    .venv/bin/python bench/http_cache.py --url http://127.0.0.1:8000   # a running stack with the cache

Each page of ``PAGES`` (and a case and the case list with a query string, found through the API) is
read ``--requests`` times one after the other, a new connection each, through Apache -> nginx -> Varnish:
once warm, so that Varnish answers from the cache, and once with a session cookie, which Varnish
passes to the app (the reader's page rendered by gunicorn, as without the cache). Printed: p50 and
p95 of each page and kind, and whether every cached answer was a HIT.

Target (exit status 1 when missed): cached p95 under ``--p95-ms`` (5) for every page.
Loopback only, bounded: at most 2,000 requests per page and kind.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.slow_clients import free_port, measure, percentile  # noqa: E402

PAGES = ["/en/", "/ru/", "/en/cases/", "/sitemap.xml"]
UNCACHED = {"Cookie": "sessionid=bench-uncached"}  # any session cookie: Varnish passes the request


def get(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if path.startswith("/api/"):
            return elapsed, response.status, body.decode()
        return elapsed, response.status, response.headers.get("X-Cache", "")
    finally:
        connection.close()


def pages(host: str, port: int) -> list[str]:
    """PAGES, a case and the case list filtered by one of its topics (from the API)."""
    _ms, status, body = get(host, port, "/api/v1/cases?locale=en&page_size=1", {})
    found = list(PAGES)
    if status == 200:
        case = json.loads(body)["results"][0]
        found.append(urllib.parse.urlsplit(case["url"]).path)
        topics = case["topics"]
        if topics:
            found.append(f"/en/cases/?topic={topics[0]['code']}")
    return found


def run(url: str, args: argparse.Namespace) -> bool:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    ok = True
    print(f"target: {url}; {args.requests} sequential requests per page and kind, a new connection each")
    print(f"{'page':40} {'cached p50':>10} {'p95':>7} {'uncached p50':>13} {'p95':>7}  hits")
    for path in pages(host, port):
        for _ in range(3):
            get(host, port, path, {})  # warm: the first answer is a MISS that fills the cache
        cached, misses = [], 0
        for _ in range(args.requests):
            elapsed, _status, cache = get(host, port, path, {})
            cached.append(elapsed)
            misses += cache != "HIT"
        uncached = [get(host, port, path, UNCACHED)[0] for _ in range(args.requests)]
        p95 = percentile(cached, 0.95)
        ok = ok and p95 < args.p95_ms and misses == 0
        print(
            f"{path:40} {percentile(cached, 0.5):8.2f}ms {p95:5.2f}ms {percentile(uncached, 0.5):11.2f}ms "
            f"{percentile(uncached, 0.95):5.2f}ms  {args.requests - misses}/{args.requests}"
        )
    print("result: " + ("PASS" if ok else f"FAIL (target: every cached answer a HIT, p95 < {args.p95_ms:g} ms)"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running stack with HTTP_CACHE=varnish; default: start one")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--p95-ms", type=float, default=5.0)
    parser.add_argument("--front-proxy", default="apache", choices=["apache", "nginx"], help="what faces clients")
    args = parser.parse_args()
    if not 1 <= args.requests <= 2000:
        parser.error("--requests: 1 to 2000")
    return measure(
        parser,
        args,
        run,
        args.front_proxy,
        HTTP_CACHE="varnish",
        VARNISH_PURGE_PORT=str(free_port()),
        GUNICORN_WORKERS="2",
    )


if __name__ == "__main__":
    sys.exit(main())
