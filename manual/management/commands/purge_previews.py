from django.core.management.base import BaseCommand

from manual.services.previews import purge_expired_previews


class Command(BaseCommand):
    help = "Delete headless preview drafts whose token expired (HEADLESS_PREVIEW_MAX_AGE)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        count = purge_expired_previews(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {count} expired preview(s)")
