from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ManualConfig(AppConfig):
    name = "manual"
    verbose_name = "Manual"
    default_auto_field = "django.db.models.BigAutoField"
    # The country and the taxonomies, declared once (manual.taxonomy_registry).
    case_filters = "manual.taxonomy_registry.MANUAL_CASE_FILTERS"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import the models, which Django loads only
        # after every app's AppConfig (this module) is imported.
        from wagtail.models import PageLogEntry  # noqa: PLC0415

        from core import side_effects  # noqa: PLC0415
        from core.foreign_keys import clean_known_foreign_keys_without_reading  # noqa: PLC0415
        from manual import searchable, signals  # noqa: PLC0415

        post_migrate.connect(signals.sync_locales_after_migrate, sender=self)
        post_migrate.connect(signals.analyze_after_migrate, sender=self)
        signals.connect_taxonomy_cache()
        signals.connect_glossary()
        signals.connect_translation_submission()
        signals.connect_publication()
        signals.connect_sitemap()
        signals.connect_frontend_cache()
        side_effects.connect()  # Wagtail's reference index, updated once per batch (an import)
        # Wagtail cleans each audit-log entry on save: its page, content type and revision are
        # the objects it was logged with (core/foreign_keys.py).
        clean_known_foreign_keys_without_reading(PageLogEntry)
        searchable.register()  # the page types and facets the search app indexes
