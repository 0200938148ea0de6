"""The Atom feed of newly published cases of one locale, at /<locale>/feed/ (Django's syndication)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manual.models import CaseStudyPage
from opendata.services.feed import newest_cases


class NewCasesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> str:
        # The URL's language prefix (LocaleMiddleware activated it).
        return get_language()

    def title(self, obj: str) -> str:
        return _("New case studies") + " · " + _("eParticipation Manual")

    def subtitle(self, obj: str) -> str:
        return _("Case studies of eParticipation initiatives, newest first.")

    def link(self, obj: str) -> str:
        return reverse("opendata:data")

    def items(self, obj: str) -> list[CaseStudyPage]:
        return newest_cases(obj)

    def item_title(self, item: CaseStudyPage) -> str:
        return item.title

    def item_description(self, item: CaseStudyPage) -> str:
        return item.summary

    def item_link(self, item: CaseStudyPage) -> str:
        return item.get_url() or "/"

    def item_pubdate(self, item: CaseStudyPage) -> datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: CaseStudyPage) -> datetime | None:
        return item.last_published_at

    def item_author_name(self, item: CaseStudyPage) -> str:
        return item.organisation
