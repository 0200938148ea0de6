"""``manage.py import_format_schema [--check]``: write docs/import-format.schema.json from the code.

The import format is the submission document (``submissions.schemas.SubmissionIn``, one field per
taxonomy kind of the registry) plus the import's own fields, so its JSON Schema is generated, never
edited: run this after a change to either (a new taxonomy kind, docs/architecture.md "Adding a
taxonomy kind"). ``--check`` writes nothing and fails when the committed file is not current.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from submissions.services.imports import IMPORT_FORMAT_SCHEMA, import_format_schema_text


class Command(BaseCommand):
    help = "Write the import format's JSON Schema (docs/import-format.schema.json) from the submission document."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is not current; write nothing.")

    def handle(self, *args, check: bool, **options):
        text = import_format_schema_text()
        current = IMPORT_FORMAT_SCHEMA.read_text(encoding="utf-8") if IMPORT_FORMAT_SCHEMA.exists() else ""
        if check:
            if current != text:
                raise CommandError(f"{IMPORT_FORMAT_SCHEMA} is not current: run manage.py import_format_schema.")
            self.stdout.write(f"{IMPORT_FORMAT_SCHEMA} is current.")
            return
        if current == text:
            self.stdout.write(f"{IMPORT_FORMAT_SCHEMA} is current.")
            return
        IMPORT_FORMAT_SCHEMA.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {IMPORT_FORMAT_SCHEMA}.")
