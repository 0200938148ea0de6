"""Comparison routes for bench/search.py; never part of the service's own URLs."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from modelsearch.backends.base import FilterFieldError
from wagtail.models import Locale

from manual.models import CaseStudyPage
from site_config.urls import urlpatterns as service_urls

# The service's facets as the stock path would have to name them; those modelsearch refuses are
# reported by the benchmark instead of dropped silently.
STOCK_FACETS = ("country", "government_level", "participation_level", "start_year", "topics", "tools", "stages")


def stock_search(request: HttpRequest) -> JsonResponse:
    """The stock path: Wagtail/modelsearch .search() plus one .facet() call (one request) per facet."""
    locale = Locale.objects.get(language_code=request.GET.get("locale", "en"))
    pages = CaseStudyPage.objects.live().filter(locale=locale)
    results = pages.search(request.GET.get("q", ""))
    hits = [{"id": page.pk, "title": page.title} for page in results[:20]]
    facets, cannot = {}, {}
    for name in STOCK_FACETS:
        try:
            facets[name] = {str(value): count for value, count in results.facet(name).items()}
        except FilterFieldError as exc:
            cannot[name] = str(exc).split(".")[0]
    return JsonResponse({"results": hits, "facets": facets, "cannot": cannot})


def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": 0, "results": [], "facets": {}})


urlpatterns = [path("bench/stock", stock_search), path("bench/constant", constant), *service_urls]
