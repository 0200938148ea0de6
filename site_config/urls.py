from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from manual import views as manual_views
from search import views as search_views
from site_config import views
from site_config.api import api
from submissions import views as submissions_views

# JSON on /api/ paths, the project's HTML pages elsewhere (site_config.api_fallback).
handler400 = "site_config.api_fallback.handler400"
handler403 = "site_config.api_fallback.handler403"
handler404 = "site_config.api_fallback.handler404"
handler500 = "site_config.api_fallback.handler500"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("api/preview", manual_views.headless_preview, name="headless_preview"),
    path("robots.txt", views.robots_txt, name="robots"),
    # The sitemap index and its parts per locale (manual.services.sitemap; -2, -3... past a part's size).
    path("sitemap.xml", manual_views.sitemap_index, name="sitemap"),
    re_path(
        r"^sitemap-(?P<language_code>[a-z]{2,3}(?:-[a-z]{2,8})?)(?:-(?P<number>[1-9][0-9]{0,5}))?\.xml$",
        manual_views.sitemap_part,
        name="sitemap_part",
    ),
    # Files of submissions not yet published: kept outside MEDIA_ROOT, shown to staff only.
    path("unpublished-media/<path:name>", submissions_views.unpublished_file, name="submissions_unpublished_file"),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve_static, {"document_root": settings.MEDIA_ROOT}),
    )

# Reader pages live under a language prefix (/en/..., /ru/...); the manual tree of each locale is
# routed by Wagtail to that locale's home.
# The reader's own routes come before Wagtail's catch-all (docs/reader.md).
reader_search_patterns = ([path("", search_views.reader_search, name="reader")], "search")

urlpatterns += i18n_patterns(
    path("submit/", include("submissions.urls")),
    path("search/", include(reader_search_patterns)),
    path("map/", manual_views.case_map, name="case_map"),
    path("accessibility/", manual_views.accessibility_statement, name="accessibility"),
    path("accessibility/feedback/", manual_views.accessibility_feedback, name="accessibility_feedback"),
    path("accessibility/feedback/thanks/", manual_views.accessibility_thanks, name="accessibility_thanks"),
    path("privacy/", manual_views.privacy_notice, name="privacy"),
    path("", include("opendata.urls")),  # data/ and feed/
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
