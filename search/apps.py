from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The manual's own per-locale search index and its engine drivers: issue "Faceted search"."""

    name = "search"
    label = "manual_search"
    default_auto_field = "django.db.models.BigAutoField"
