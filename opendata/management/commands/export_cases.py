"""``manage.py export_cases [--if-stale]``: write the open-data dumps (docs/open-data.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opendata.services.dumps import export_cases, export_dir, is_stale


class Command(BaseCommand):
    help = "Write the dumps of every published case (JSON, CSV, GeoJSON) served at /api/v1/export/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Only when a case was published, unpublished, moved or deleted since the last export (cron).",
        )

    def handle(self, *args: Any, if_stale: bool = False, **options: Any) -> None:
        if if_stale and not is_stale():
            self.stdout.write("The dumps are current; nothing to do.")
            return
        report = export_cases()
        sizes = ", ".join(f"{name} {size:,} bytes" for name, size in report.sizes.items())
        self.stdout.write(f"{report.cases} case records in {export_dir()}: {sizes} ({report.seconds:.1f} s)")
