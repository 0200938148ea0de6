"""Reader-facing pages of submissions, under the language prefix (site_config.urls, i18n_patterns)."""

from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("", views.submit_form, name="form"),
    path("status/<uuid:submission_id>/", views.submission_status, name="status"),
    path("<uuid:submission_id>/edit/", views.edit_submission, name="edit"),
]
