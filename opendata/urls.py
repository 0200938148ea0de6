"""Reader routes of the open data, under each language prefix (site_config/urls.py)."""

from django.urls import path

from opendata import views
from opendata.feeds import NewCasesFeed

app_name = "opendata"
urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("feed/", NewCasesFeed(), name="feed"),
]
