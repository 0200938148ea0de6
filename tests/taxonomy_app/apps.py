from django.apps import AppConfig


class TaxonomyAppConfig(AppConfig):
    name = "tests.taxonomy_app"
    label = "taxonomy_app"
    default_auto_field = "django.db.models.BigAutoField"
    case_filters = "tests.taxonomy_app.models.CASE_FILTERS"  # manual.taxonomy_registry reads it
