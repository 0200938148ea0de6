"""Settings of the search benchmark's gunicorn: the service's own, plus two comparison routes
(bench/urls.py) and Wagtail's search backend on the same engine for the stock path."""

import os

from site_config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.opensearch2",
        "URLS": [os.environ["SEARCH_URL"]],
        "INDEX": f"{SEARCH_INDEX_PREFIX}-stock",  # noqa: F405
        "TIMEOUT": 30,
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
