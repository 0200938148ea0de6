"""``manage.py submissions_personal_data export|erase EMAIL``: a submitter's personal data (GDPR).

``export`` prints (or writes with ``--output FILE``) a JSON document of everything held about the
address; ``erase`` removes it from the database, page revisions, translation strings and the
search indexes, prints what it erased per place, and lists any place where the address is still
found (e.g. a staff account with the same address: not submission data, left alone).
See docs/personal-data.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from submissions.services.personal_data.erase import erase, find_traces
from submissions.services.personal_data.export import export


class Command(BaseCommand):
    help = "Export or erase the personal data held about a submitter's e-mail address (docs/personal-data.md)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email", help="The submitter's e-mail address (any letter case).")
        parser.add_argument("--output", type=Path, help="export: write the JSON document to this file.")

    def handle(self, *args, action: str, email: str, output: Path | None = None, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"not an e-mail address: {email!r}") from None
        if action == "export":
            text = json.dumps(export(email), ensure_ascii=False, indent=2)
            if output:
                output.write_text(text + "\n", encoding="utf-8")
                output.chmod(0o600)
                self.stdout.write(f"written to {output}")
            else:
                self.stdout.write(text)
            return
        report = erase(email)
        for line in report.lines():
            self.stdout.write(line)
        remaining = find_traces(email)
        if remaining:
            self.stdout.write(self.style.WARNING("still found (not submission data, left alone):"))
            for place, count in remaining.items():
                self.stdout.write(f"  {place}: {count}")
        else:
            self.stdout.write(self.style.SUCCESS(f"no trace of {email} left in the database"))
