"""``manage.py import_cases FILE.json [--publish]``: editors' trusted import of case studies.

One report line per item (``created``, ``updated``, ``unchanged``, ``conflict``,
``failed: field: reason``); the exit status is 1 when any item failed. See docs/import-format.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from submissions.services.imports import ImportFileError, ItemReport, import_cases


class Command(BaseCommand):
    help = "Import case studies from a JSON file (docs/import-format.md); one report line per item."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A JSON list of cases; attachments are relative to its folder.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the imported revisions at once (default: drafts)."
        )

    def handle(self, *args, file: Path, publish: bool, **options):
        def report(item: ItemReport) -> None:
            style = self.style.ERROR if item.outcome in {"failed", "conflict"} else self.style.SUCCESS
            self.stdout.write(style(item.line()))

        try:
            reports = import_cases(file, publish=publish, report=report)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        counts = Counter(item.outcome for item in reports)
        summary = ", ".join(
            f"{counts[name]} {name}" for name in ("created", "updated", "unchanged", "conflict", "failed")
        )
        self.stdout.write(f"{len(reports)} items: {summary}")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} item(s) failed.", returncode=1)
