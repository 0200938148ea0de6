from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from PIL import Image


class SubmissionsConfig(AppConfig):
    """Case submissions from practitioners (intake, validation, conversion, review): issue "Case submissions"."""

    name = "submissions"
    verbose_name = "Submissions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # One pixel budget everywhere Pillow opens an image (renditions, Willow, submissions).
        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS

        # Here, not at the top: these modules import models, which exist only once the app
        # registry is ready (Django imports apps.py before any models.py).
        from submissions import checks, signals  # noqa: F401, PLC0415 - registers the checks and the review handlers
        from submissions.services.admin_access import ensure_admin_access_after_migrate  # noqa: PLC0415

        post_migrate.connect(signals.create_cache_table_after_migrate, sender=self)
        post_migrate.connect(ensure_admin_access_after_migrate, sender=self)
        post_migrate.connect(signals.conceal_unpublished_files_after_migrate, sender=self)
