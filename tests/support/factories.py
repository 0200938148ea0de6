"""Page builders: factory_boy factories that put a page in the tree where the admin would.

Wagtail pages are nodes of a tree (treebeard), created through the parent's ``add_child``, never a
plain ``save``. wagtail-factories does the same, but no release of it declares Wagtail 8 (4.5.0 lists
``Framework :: Wagtail :: 7``), so the few lines it would bring live here.

Each factory takes, besides the page's fields:

- ``parent``: the page to add it under (each factory has an English default);
- ``publish``: save a revision and publish it, as the admin's "Publish" does (default: yes);
- ``locale_aliases``: create wagtail-localize's aliases in the other locales, as its admin hook does
  for a page created in the admin (default: no).

The page comes back as stored, read again from the database: publishing works on a copy, so the
instance that was saved would keep stale ``live`` and revision fields.
"""

from __future__ import annotations

import uuid
from typing import Any

import factory
from django.utils.text import slugify
from wagtail.models import Locale, Page

from manual.models import (
    CaseStudyIndexPage,
    CaseStudyPage,
    GovernmentLevel,
    ManualHomePage,
    ManualSectionPage,
    ParticipationLevel,
    Topic,
)
from manual.services.locales import create_locale_aliases


def _english(model: type, **filters: Any) -> factory.LazyFunction:
    """The object of ``model`` in the English tree (or vocabulary) matching ``filters``."""
    return factory.LazyFunction(lambda: model.objects.get(locale__language_code="en", **filters))


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    publish = True
    locale_aliases = False

    @classmethod
    def _create(cls, model_class, *args, parent: Page, publish: bool, locale_aliases: bool, **kwargs) -> Page:
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        if locale_aliases:
            create_locale_aliases(page)
        return model_class.objects.get(pk=page.pk)


class CaseStudyPageFactory(PageFactory):
    """An English case as an editor makes it in the admin: a draft, then published, with its aliases
    (the other locales show it as an alias until someone translates it)."""

    class Meta:
        model = CaseStudyPage

    parent = _english(CaseStudyIndexPage)
    live = False
    locale_aliases = True

    title = "Open budget of Exampleville"
    slug = "open-budget-exampleville"
    summary = "Residents propose and vote on projects for the city budget."
    organisation = "Exampleville city council"
    city = "Exampleville"
    country = "ES"
    government_level = _english(GovernmentLevel, code="local")
    participation_level = _english(ParticipationLevel, code="empower")
    topics = factory.LazyFunction(lambda: [Topic.objects.get(locale__language_code="en", code="budget")])
    start_year = 2020
    initiative_status = "ongoing"
    context = "<p>The city wanted citizens to decide on part of the budget.</p>"
    objectives = "<p>Involve residents in spending decisions.</p>"
    approach = "<p>Proposals online, then a public vote.</p>"
    results = "<p>Forty projects were funded.</p>"
    attribution = "PanEuropean eParticipation Manual editors"


def _first_english_case() -> CaseStudyPage:
    return CaseStudyPage.objects.filter(locale__language_code="en").first()


class UntranslatedCaseStudyPageFactory(PageFactory):
    """An English case with no page at all in the other locales (no aliases), under a word no demo
    case uses ("zyxwvut"); its levels are those of the first English demo case."""

    class Meta:
        model = CaseStudyPage

    parent = _english(CaseStudyIndexPage)

    title = "Zyxwvut neighbourhood budget assembly"
    slug = factory.LazyFunction(lambda: f"zyxwvut-{uuid.uuid4().hex[:6]}")
    summary = "An untranslated test case about a neighbourhood budget."
    organisation = "Test council"
    country = "NL"
    government_level = factory.LazyFunction(lambda: _first_english_case().government_level)
    participation_level = factory.LazyFunction(lambda: _first_english_case().participation_level)
    start_year = 2021
    initiative_status = "ongoing"
    context = "<p>Context.</p>"
    objectives = "<p>Objectives.</p>"
    approach = "<p>Approach.</p>"
    results = "<p>Results.</p>"


def _headed_paragraphs(headings: int) -> list[tuple[str, Any]]:
    body: list[tuple[str, Any]] = []
    for number in range(headings):
        body.append(("heading", {"text": f"Heading {number}", "level": "h2"}))
        body.append(("paragraph", f"<p>Paragraph {number}</p>"))
    return body


class ManualSectionPageFactory(PageFactory):
    """A section of the English manual; its body has ``headings`` headings, each with a paragraph."""

    class Meta:
        model = ManualSectionPage

    class Params:
        headings = 1

    parent = _english(ManualHomePage)

    title = factory.Sequence(lambda number: f"Section {number}")
    slug = factory.LazyAttribute(lambda section: slugify(section.title))
    intro = "Intro"
    body = factory.LazyAttribute(lambda section: _headed_paragraphs(section.headings))


class TopicFactory(factory.django.DjangoModelFactory):
    """A topic of the English vocabulary, after the demo's topics."""

    class Meta:
        model = Topic

    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="en"))
    sort_order = 90
