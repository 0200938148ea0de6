from django.apps import AppConfig


class ManualConfig(AppConfig):
    name = "manual"
    verbose_name = "Manual"
    default_auto_field = "django.db.models.BigAutoField"
    # The country and the taxonomies, declared once (manual.taxonomy_registry).
    case_filters = "manual.taxonomy_registry.MANUAL_CASE_FILTERS"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from manual import signals  # noqa: F401 - connects the content signal handlers

        post_migrate.connect(signals.sync_locales_after_migrate, sender=self)
        signals.connect_taxonomy_cache()
        signals.connect_translation_submission()
        signals.connect_publication()
