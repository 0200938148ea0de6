from django.apps import AppConfig


class ManualConfig(AppConfig):
    name = "manual"
    verbose_name = "Manual"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # In ready(), not at the top: these modules import models.
        from manual import searchable, signals

        post_migrate.connect(signals.sync_locales_after_migrate, sender=self)
        signals.connect_taxonomy_cache()
        signals.connect_translation_submission()
        signals.connect_publication()
        searchable.register()  # the page types and facets the search app indexes
