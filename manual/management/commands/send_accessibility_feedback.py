"""Send the accessibility feedback the mail server refused before (an SMTP outage kept it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from manual.services.feedback import send_pending


class Command(BaseCommand):
    help = "Send every accessibility feedback still kept because its e-mail failed; exit 1 if some still fail."

    def handle(self, *args, **options) -> None:
        sent, failed = send_pending()
        self.stdout.write(f"{sent} sent, {failed} still kept")
        if failed:
            raise CommandError(f"{failed} feedback message(s) could not be sent; they are kept")
