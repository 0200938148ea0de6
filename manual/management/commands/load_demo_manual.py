from django.core.management.base import BaseCommand, CommandError

from manual.services.demo import DemoContentError, load_demo_manual


class Command(BaseCommand):
    help = "Load the demo manual (sections and case studies in English and Russian). Idempotent."

    def handle(self, *args, **options) -> None:
        try:
            report = load_demo_manual()
        except DemoContentError as exc:
            raise CommandError(f"demo manual not loaded: {exc}") from exc
        self.stdout.write(
            f"demo manual: {len(report.created)} pages created, {len(report.translated)} translations created, "
            f"{report.unchanged} pages already there"
        )
