from django.core.management.base import BaseCommand

from manual.services.locales import sync_locales


class Command(BaseCommand):
    help = "Make locales, locale trees, seed taxonomies, roles and the review workflow follow MANUAL_LOCALES."

    def handle(self, *args, **options) -> None:
        report = sync_locales()
        self.stdout.write(
            f"locales: {', '.join(report.locales)} (new: {', '.join(report.locales_created) or 'none'}); "
            f"alias pages created: {report.aliases_created}; taxonomy terms created: "
            f"{report.taxonomy_terms_created}; homes put under review: {report.workflow_pages_added}"
        )
