"""Print or write Varnish's VCL for this service (docs/operations.md "HTTP cache")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from site_config import varnish


class Command(BaseCommand):
    help = (
        "Varnish between nginx and gunicorn: caches what the app marks public, purged by Wagtail's "
        "frontend cache (FRONTEND_CACHE_URL). Prints the VCL, or writes it to --output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--backend", default="127.0.0.1:8001", help="gunicorn's address: unix:/path/to.sock or host:port"
        )
        parser.add_argument("--host", help="the canonical Host every answer is made for (default: BASE_URL's)")
        parser.add_argument(
            "--purger",
            action="append",
            help="an address or network allowed to purge (repeatable; default 127.0.0.1 and ::1)",
        )
        parser.add_argument("--output", type=Path, help="write the VCL to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = varnish.vcl(options["backend"], options["host"], options["purger"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text)
        self.stdout.write(str(output.resolve()))
