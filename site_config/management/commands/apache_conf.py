"""Print or write Apache's configuration for this service (docs/operations.md "Production set-up")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from site_config import apache


class Command(BaseCommand):
    help = (
        "Apache (mod_reqtimeout) in front of nginx: closes clients that send slower than a minimum rate. "
        "Without --run-dir: print the site file for /etc/apache2/sites-available/. With --run-dir: write "
        "apache2.conf and apache-site.conf there for a foreground Apache (scripts/serve.sh, `make run`)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--listen", default="*:80", help="Apache's address: *:80, 127.0.0.1:8000")
        parser.add_argument("--upstream", default="127.0.0.1:8080", help="nginx's loopback host:port")
        parser.add_argument("--client-timeout", type=int, default=apache.DEFAULT_CLIENT_TIMEOUT)
        parser.add_argument("--min-rate", type=int, default=apache.DEFAULT_MIN_RATE, help="bytes per second")
        parser.add_argument("--processes", type=int, default=apache.DEFAULT_PROCESSES)
        parser.add_argument("--threads", type=int, default=apache.DEFAULT_THREADS, help="per process")
        parser.add_argument("--run-dir", type=Path, help="write a standalone configuration into this folder")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("client_timeout", "min_rate", "processes", "threads"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')}: at least 1")
        run_dir: Path | None = options["run_dir"]
        site = apache.site_conf(
            options["listen"],
            options["upstream"],
            options["client_timeout"],
            options["min_rate"],
            options["processes"],
            options["threads"],
        )
        if run_dir is None:
            self.stdout.write(site, ending="")
            return
        run_dir = run_dir.resolve()
        (run_dir / "apache-site.conf").write_text(site)
        (run_dir / "apache2.conf").write_text(apache.standalone_conf(run_dir, options["listen"]))
        self.stdout.write(str(run_dir / "apache2.conf"))
