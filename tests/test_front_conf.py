"""The proxies' configuration as `manage.py apache_conf` and `nginx_conf` render it (docs/operations.md
"Production set-up"); the served stack itself is tested through in tests/test_serving.py."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def render(command: str, *arguments: str) -> str:
    out = StringIO()
    call_command(command, *arguments, stdout=out)
    return out.getvalue()


def test_apache_closes_headers_and_bodies_slower_than_the_minimum_rate():
    site = render("apache_conf", "--client-timeout", "5", "--min-rate", "500")
    assert "RequestReadTimeout header=5-20,MinRate=500 body=10,MinRate=500" in site
    assert "ProxyPass / http://127.0.0.1:8080/ " in site


def test_apache_refuses_a_body_over_the_limit_from_its_content_length():
    site = render("apache_conf")
    assert f"%{{HTTP:Content-Length}} -gt {settings.SUBMISSIONS_MAX_REQUEST_BYTES}" in site
    assert "RewriteRule ^ - [R=413,L]" in site


def test_apache_replaces_the_client_forwarded_for_and_keeps_no_access_log():
    site = render("apache_conf")
    assert 'RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}" early' in site
    assert "ProxyAddHeaders Off" in site
    assert [line.strip() for line in site.splitlines() if line.strip().startswith("CustomLog")] == [
        "CustomLog /dev/null common"
    ]


def test_nginx_own_errors_on_the_api_are_the_json_error_shape():
    site = render("nginx_conf")
    assert "error_page 400 408 413 429 500 502 503 504 @api_error;" in site
    assert "    413 request_too_large;" in site
    assert "    429 rate_limited;" in site


def test_apache_own_errors_on_the_api_are_the_json_error_shape():
    site = render("apache_conf")
    documents = re.findall(r'ErrorDocument (\d+) "(.*)"', site)
    assert {status for status, _ in documents} >= {"408", "413", "502"}
    for _status, quoted in documents:
        body = json.loads(quoted.replace('\\"', '"'))
        assert set(body["errors"][0]) == {"field", "code", "message"}


def test_the_mpm_has_room_for_the_slow_clients_of_the_bench():
    site = render("apache_conf", "--processes", "4", "--threads", "128")
    assert "MaxRequestWorkers 512" in site
    assert "ThreadsPerChild 128" in site


def test_nginx_believes_forwarded_for_only_from_the_front():
    behind = render("nginx_conf", "--listen", "127.0.0.1:8002", "--trusted-front", "127.0.0.1")
    assert "set_real_ip_from 127.0.0.1;" in behind
    assert "real_ip_recursive off;" in behind
    assert "127.0.0.1 $http_x_forwarded_proto;" in behind, "the scheme Apache states (TLS at Apache)"
    alone = render("nginx_conf")
    assert "set_real_ip_from" not in alone
    assert "$http_x_forwarded_proto" not in alone, "alone, nginx states its own scheme"
    with pytest.raises(CommandError, match="--trusted-front"):
        render("nginx_conf", "--trusted-front", "0.0.0.0/0; allow all")


@pytest.mark.parametrize("standalone", [False, True])
def test_nginx_logs_no_error_line_that_would_quote_a_token(tmp_path, standalone):
    """nginx quotes the whole request line (``?token=`` included) in its error lines about a request:
    only critical ones are logged, in Debian's log in production and to the terminal under make run."""
    arguments = ("--run-dir", str(tmp_path)) if standalone else ()
    out = render("nginx_conf", *arguments)
    site = (tmp_path / "site.conf").read_text() if standalone else out
    target = "stderr" if standalone else "/var/log/nginx/error.log"
    assert re.findall(r"^\s*error_log\s+(\S+)\s+(\w+);", site, re.M) == [(target, "crit")]
    if standalone:
        main = (tmp_path / "nginx.conf").read_text()
        assert re.findall(r"^\s*error_log\s+(\S+)\s+(\w+);", main, re.M) == [("stderr", "crit")]
