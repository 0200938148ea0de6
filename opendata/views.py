"""The reader's "Open data" page: what can be downloaded, under which licence, and how to read it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from opendata.services.columns import LIST_SEPARATOR
from opendata.services.dumps import FORMATS, dump_file
from opendata.services.records import dataset


def data_page(request: HttpRequest) -> HttpResponse:
    about = dataset()
    downloads = [
        {
            "format": item,
            "url": reverse(f"api-v1:export_cases_{item.name.rsplit('.', 1)[1]}"),
            "file": dump_file(item.name),
        }
        for item in FORMATS
    ]
    context = {
        "downloads": downloads,
        "exported": all(item["file"] is not None for item in downloads),
        "dataset": about,
        "separator": LIST_SEPARATOR,
        "schema_url": reverse("api-v1:export_schema"),
        "codebook_url": reverse("api-v1:export_codebook"),
        "catalogue_url": reverse("api-v1:export_catalogue"),
        "feed_url": reverse("opendata:feed"),
        "languages": settings.LANGUAGES,
    }
    return render(request, "opendata/data.html", context)
