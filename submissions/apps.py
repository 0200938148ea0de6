from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    """Case submissions from practitioners (intake, validation, conversion, review): issue "Case submissions"."""

    name = "submissions"
    default_auto_field = "django.db.models.BigAutoField"
