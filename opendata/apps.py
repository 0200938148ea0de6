from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open data"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import the models, which Django loads only
        # after every app's AppConfig (this module) is imported.
        from opendata import checks, signals  # noqa: F401, PLC0415 - connecting is importing
