import json

from django.core.management.base import BaseCommand, CommandError

from search import services


class Command(BaseCommand):
    help = (
        "Manage the manual's search index. rebuild: new indexes with the bulk API and alias swap "
        "(zero downtime); sync: apply queued updates (idempotent; run it from cron or the worker); "
        "status: documents per locale against published pages, outbox size and indexing lag."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild", "sync", "status"])
        parser.add_argument("--locale", action="append", help="rebuild only these locales")
        parser.add_argument("--json", action="store_true", help="status as JSON")
        parser.add_argument(
            "--engine-only",
            action="store_true",
            help="rebuild: only the engine's indexes, from the database index (after a mapping or engine change)",
        )

    def handle(self, *args, action: str, locale: list[str] | None, json: bool, **options) -> None:
        if action == "rebuild":
            try:
                written = services.rebuild(locale, engine_only=options["engine_only"])
            except services.EngineUnavailable as exc:
                raise CommandError(f"rebuild failed: the search engine did not answer ({exc})") from exc
            for code, count in written.items():
                self.stdout.write(f"{code}: {count} documents")
        elif action == "sync":
            report = services.process_outbox(force=True)
            self.stdout.write(f"applied {report.processed} queued updates ({report.documents} documents)")
            if report.failed:
                raise CommandError(f"{report.failed} updates kept for retry: {'; '.join(report.errors)}")
        else:
            state = services.status()
            if json:
                self.stdout.write(_json(state.__dict__))
                return
            for code, entry in state.locales.items():
                engine = entry.get("engine_documents", "-")
                self.stdout.write(
                    f"{code}: {entry['published_pages']} published pages, {entry['database_documents']} in the "
                    f"database index, {engine} in the engine"
                )
            self.stdout.write(f"outbox: {state.outbox} pending, lag {state.lag_seconds:.1f} s; engine: {state.engine}")


def _json(value) -> str:
    return json.dumps(value, indent=2, default=str)
