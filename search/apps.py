from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The manual's own per-locale search index and its engine drivers (DESIGN.md "Search")."""

    name = "search"
    label = "manual_search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: the handlers import models, which Django loads after every AppConfig.
        from search import signals  # noqa: F401, PLC0415 - connects the indexing signal handlers
