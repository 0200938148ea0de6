"""The test settings with ``tests.taxonomy_app`` installed (and so its taxonomy kind declared)."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.taxonomy_app"]  # noqa: F405
