"""``manage.py purge_submissions [--days N] [--dry-run]``: erase the personal data of rejected and
spam submissions whose last change of status is older than ``SUBMISSIONS_PURGE_DAYS`` days.

Run it daily (cron or a scheduler). The submissions themselves stay (status, case fields, history)
for the editors' records; see docs/personal-data.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from submissions.services.personal_data.retention import purge


class Command(BaseCommand):
    help = "Erase personal data of rejected and spam submissions older than SUBMISSIONS_PURGE_DAYS days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Days since the last status change (default SUBMISSIONS_PURGE_DAYS)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be purged.")

    def handle(self, *args, days: int | None = None, dry_run: bool = False, **options):
        days = settings.SUBMISSIONS_PURGE_DAYS if days is None else days
        if days < 0:
            days = 0
        outcome = purge(days=days, dry_run=dry_run)
        verb = "would be purged" if dry_run else "purged"
        self.stdout.write(f"{outcome.submissions} submission(s) {verb} (rejected or spam, unchanged for {days} days)")
        for line in outcome.report.lines() if not dry_run and outcome.submissions else []:
            self.stdout.write(f"  {line}")
