"""``manage.py import_cases FILE.json [--publish]``: editors' trusted import of case studies.

One report line per item (``created``, ``updated``, ``unchanged``, ``conflict``,
``failed: field: reason``) on stdout; the exit status is 1 when any item failed. While it runs, a
progress line (items done, rate, time left) is redrawn on stderr when stderr is a terminal (not
with ``-v 0``). See docs/import-format.md.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TextIO, cast

from django.core.management.base import BaseCommand, CommandError

from submissions.services.imports import ImportFileError, ItemReport, import_cases

PROGRESS_EVERY = 0.5  # seconds between redraws of the progress line


class Progress:
    """``1200/10000 items, 21.4 a second, 6 min 51 s left`` on one line of a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def start(self, total: int) -> None:
        self.total, self.started = total, time.monotonic()

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.drawn >= PROGRESS_EVERY or self.done == self.total:
            self.drawn = now
            self.stream.write(f"\r\x1b[K{self.line(now - self.started)}")
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        minutes, seconds = divmod(round(left), 60)
        return f"{self.done}/{self.total} items, {rate:.1f} a second, {minutes} min {seconds:02d} s left"

    def finish(self) -> None:
        if self.done:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import case studies from a JSON file (docs/import-format.md); one report line per item."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A JSON list of cases; attachments are relative to its folder.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the imported revisions at once (default: drafts)."
        )

    def handle(self, *args, file: Path, publish: bool, verbosity: int = 1, **options):
        stderr = cast(TextIO, self.stderr._out)  # the raw stream: the wrapper would colour and end every write
        progress = Progress(stderr) if verbosity > 0 and stderr.isatty() else None

        def report(item: ItemReport) -> None:
            style = self.style.ERROR if item.outcome in {"failed", "conflict"} else self.style.SUCCESS
            if progress is not None:
                progress.finish()  # the report line goes on a line of its own when both are a terminal
            self.stdout.write(style(item.line()))
            if progress is not None:
                progress.step()

        try:
            reports = import_cases(
                file, publish=publish, report=report, started=progress.start if progress is not None else None
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if progress is not None:
                progress.finish()
        counts = Counter(item.outcome for item in reports)
        summary = ", ".join(
            f"{counts[name]} {name}" for name in ("created", "updated", "unchanged", "conflict", "failed")
        )
        self.stdout.write(f"{len(reports)} items: {summary}")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} item(s) failed.", returncode=1)
