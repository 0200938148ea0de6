"""Print or write nginx's configuration for this service (docs/operations.md "Production set-up")."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from site_config import nginx


class Command(BaseCommand):
    help = (
        "nginx as a buffering proxy in front of gunicorn. Without --run-dir: print the site file for "
        "/etc/nginx/sites-available/. With --run-dir: write nginx.conf and site.conf there for a "
        "foreground nginx (scripts/serve.sh, `make run`)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--listen", default="80", help="nginx's listen value, e.g. 127.0.0.1:8000 or 80")
        parser.add_argument(
            "--upstream", default="127.0.0.1:8001", help="gunicorn's address: unix:/path/to.sock or host:port"
        )
        parser.add_argument("--client-timeout", type=int, default=nginx.DEFAULT_CLIENT_TIMEOUT)
        parser.add_argument("--connections-per-address", type=int, default=nginx.DEFAULT_CONNECTIONS_PER_ADDRESS)
        parser.add_argument(
            "--trusted-front",
            default="",
            help="Apache's address in front (site_config/apache): its X-Forwarded-For is believed",
        )
        parser.add_argument("--run-dir", type=Path, help="write a standalone configuration into this folder")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["client_timeout"] < 1:
            raise CommandError("--client-timeout: at least 1 second")
        if options["connections_per_address"] < 1:
            raise CommandError("--connections-per-address: at least 1")
        if options["trusted_front"]:
            try:
                ipaddress.ip_address(options["trusted_front"])
            except ValueError as exc:
                raise CommandError(f"--trusted-front: {exc}") from exc
        run_dir: Path | None = options["run_dir"]
        site = nginx.site_conf(
            options["listen"],
            options["upstream"],
            options["client_timeout"],
            options["connections_per_address"],
            options["trusted_front"],
            # make run's nginx logs to its terminal, like its main configuration does.
            error_log="stderr" if run_dir is not None else nginx.DEBIAN_ERROR_LOG,
        )
        if run_dir is None:
            self.stdout.write(site, ending="")
            return
        run_dir = run_dir.resolve()
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "site.conf").write_text(site)
        (run_dir / "nginx.conf").write_text(nginx.standalone_conf(run_dir))
        self.stdout.write(str(run_dir / "nginx.conf"))
