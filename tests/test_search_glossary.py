"""Cross-language search through the glossary (docs/search.md "Glossary"), on both drivers.

A Russian query with ``fallback=1`` is expanded through the glossary's concepts and finds English
cases that have no Russian translation, below the Russian matches and marked as fallbacks; without
``fallback`` it does not. The same holds the other way (an English reader finds a case sent in
Russian only) and with a third locale (each case found once). Translators maintain the concepts
in the admin, and a change applies to the next search (cached answers included), without a
rebuild.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from manual.models import (
    CaseStudyIndexPage,
    CaseStudyPage,
    GlossaryConcept,
    GlossaryTerm,
    GovernmentLevel,
    ParticipationLevel,
)
from manual.services.locales import sync_locales
from search import services
from search.glossary import Glossary, Group
from search.registry import Concept
from tests.support.factories import UntranslatedCaseStudyPageFactory

pytestmark = pytest.mark.django_db

ADD_CONCEPT = "wagtailsnippets_manual_glossaryconcept:add"


def run(client, locale: str = "ru", **params) -> dict:
    response = client.get("/api/v1/search", {"locale": locale, "page_size": 100, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["degraded"] is False
    return body


def ids(body: dict) -> list[int]:
    return [hit["id"] for hit in body["results"]]


@pytest.fixture
def only_in(driver, django_capture_on_commit_callbacks):
    """Makes cases that exist in one locale only (no page in the others, no alias), indexed by
    whichever driver answers: ``only_in("ru", title=...)``."""
    made = []

    def level(model, code: str, language: str):
        """The term in ``language``; a translator's copy of the English one where none is seeded."""
        term = model.objects.filter(locale__language_code=language, code=code).first()
        if term is None:
            term = model.objects.get(locale__language_code="en", code=code)
            term = term.copy_for_translation(Locale.objects.get(language_code=language))
            term.save()
        return term

    def make(language: str, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            page = UntranslatedCaseStudyPageFactory(
                parent=CaseStudyIndexPage.objects.get(locale__language_code=language),
                government_level=level(GovernmentLevel, "local", language),
                participation_level=level(ParticipationLevel, "empower", language),
                **fields,
            )
        made.append(page)
        return page

    yield make
    if driver == "engine":
        for page in made:
            services.engine_driver().delete({page.locale.language_code: [page.pk]})


@pytest.fixture
def english_only(only_in):
    """Makes English cases with no Russian page (``only_in("en", ...)``)."""
    return partial(only_in, "en")


def concept_form(name: str, terms: list[tuple[str, str]]) -> dict:
    rows = [
        {"locale": locale, "text": text, "synonym": False, "ORDER": number, "id": ""}
        for number, (locale, text) in enumerate(terms)
    ]
    return nested_form_data({"name": name, "note": "", "terms": inline_formset(rows)})


def test_a_russian_query_finds_an_english_only_case_with_fallback_below_russian_matches(client, english_only):
    page = english_only(
        title="Participatory budgeting in Zyxwton", summary="Residents of Zyxwton decide on part of the city budget."
    )
    for q in ("партисипаторное бюджетирование", "партисипаторного бюджетирования", "инициативное бюджетирование"):
        assert page.pk not in ids(run(client, q=q)), q
        hits = run(client, q=q, fallback=1)["results"]
        found = [hit for hit in hits if hit["id"] == page.pk]
        assert [(hit["locale"], hit["fallback"]) for hit in found] == [("en", True)], q
        russian = [n for n, hit in enumerate(hits) if hit["locale"] == "ru"]
        # Russian demo cases say "партисипаторный бюджет"; none says "инициативное бюджетирование".
        assert bool(russian) is (q != "инициативное бюджетирование"), q
        assert max(russian, default=-1) < hits.index(found[0]), (q, hits)
        assert not any(hit["fallback"] for hit in hits if hit["locale"] == "ru")
        assert "<mark>" in " ".join(found[0]["highlight"].get("title", [])), found[0]["highlight"]


def test_every_concept_of_the_query_must_match_the_other_words_need_not(client, english_only):
    tartu = english_only(title="Zyxwvut petitions of Tartu")
    narva = english_only(title="Zyxwvut petitions of Narva")
    budget = english_only(title="Zyxwvut budget of Tartu")
    found = ids(run(client, q="электронная петиция Тарту", fallback=1))
    assert tartu.pk in found and narva.pk not in found and budget.pk not in found
    # "зыхвут" is in no concept: a Russian word no English case holds, so it cannot be required.
    found = ids(run(client, q="электронная петиция зыхвут", fallback=1))
    assert {tartu.pk, narva.pk} <= set(found) and budget.pk not in found
    assert run(client, q="зыхвут кворкл", fallback=1)["count"] == 0, "no concept: the words as typed"


def test_a_concept_added_in_the_admin_is_effective_on_the_next_search(client, english_only, translator):
    page = english_only(title="Zyxwvut quorkle festival")
    assert run(client, q="кворкл", fallback=1)["count"] == 0  # and that answer is cached
    client.force_login(translator)
    response = client.post(reverse(ADD_CONCEPT), concept_form("quorkle", [("en", "quorkle"), ("ru", "кворкл")]))
    assert response.status_code == 302, response.context and response.context["form"].errors
    client.logout()
    assert ids(run(client, q="кворкл", fallback=1)) == [page.pk]
    assert run(client, q="кворкл")["count"] == 0, "only with fallback"

    GlossaryTerm.objects.filter(text="кворкл").delete()
    assert run(client, q="кворкл", fallback=1)["count"] == 0, "a removed synonym stops at once"


def test_bad_concepts_are_refused_naming_the_field(client, editor):
    client.force_login(editor)
    before = GlossaryConcept.objects.count()
    response = client.post(reverse(ADD_CONCEPT), concept_form("", [("xx", "!!!")]))
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    term_errors = form.formsets["terms"].forms[0].errors
    assert "xx" in term_errors["locale"][0] and "letter or digit" in term_errors["text"][0], term_errors
    assert GlossaryConcept.objects.count() == before


def test_moderators_do_not_edit_the_glossary(client, moderator):
    client.force_login(moderator)
    before = GlossaryConcept.objects.count()
    response = client.post(reverse(ADD_CONCEPT), concept_form("quorkle", [("en", "quorkle"), ("ru", "кворкл")]))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert GlossaryConcept.objects.count() == before


def test_the_glossary_holds_the_core_vocabulary_and_the_taxonomies():
    glossary = services.glossary()
    for russian, english in [
        ("гражданская ассамблея", "citizens' assembly"),
        ("инициативное бюджетирование", "participatory budgeting"),
        ("электронная петиция", "e-petition"),
        ("электронные консультации", "e-consultation"),
        ("открытые данные", "open data"),
        ("краудмаппинг", "Crowd-mapping"),  # a taxonomy term's labels
        ("Бразилия", "Brazil"),  # a country's names
    ]:
        expansion = glossary.expand(russian, "ru", "en")
        assert expansion is not None and english in expansion.terms(), (russian, expansion)


def test_expansion_matches_the_longest_phrase_in_any_word_form():
    glossary = Glossary(
        [
            Concept({"en": ["participatory budgeting"], "ru": ["партисипаторное бюджетирование"]}),
            Concept({"en": ["budget"], "ru": ["бюджетирование"]}, facet=("topic", "budget")),
            Concept({"en": ["Porto"], "de": ["Porto"]}),  # no Russian term: translates nothing from Russian
            Concept({"ru": ["одинокий"]}),  # one language, no facet value: translates nothing
            Concept({"ru": ["Эстония"]}, facet=("country", "EE")),  # a facet value: a concept
            Concept({"ru": ["неведомый"]}, facet=("nowhere", "x")),  # not a registered facet
            Concept({"ru": ["ЭСТОНИЯ", "Эстляндия"]}),  # shares a term: the same concept
        ],
        facet_keys=("topic", "country"),
    )
    expansion = glossary.expand("Партисипаторного бюджетирования в Порту", "ru", "en")
    assert expansion is not None
    assert expansion.groups == (Group(("participatory budgeting",)),) and expansion.rest == "в порту"
    assert glossary.expand("бюджетирование", "ru", "en").groups == (Group(("budget",), (("topic", "budget"),)),)
    assert glossary.expand("Эстонии", "ru", "en").groups == (Group((), (("country", "EE"),)),)
    assert glossary.expand("Эстляндии", "ru", "en").groups == (Group((), (("country", "EE"),)),)
    assert glossary.expand("одинокий", "ru", "en") is None
    assert glossary.expand("неведомый", "ru", "en") is None


def test_only_live_reviewed_text_is_found_through_the_glossary(
    client, english_only, django_capture_on_commit_callbacks
):
    unpublished = english_only(title="Participatory budgeting in Zyxwvut")
    drafted = english_only(title="Zyxwvut quiet case")
    with django_capture_on_commit_callbacks(execute=True):
        unpublished.unpublish()
        drafted.title = "Participatory budgeting in Zyxwvut, not yet reviewed"
        drafted.save_revision()  # a draft: the live page keeps its title
    found = ids(run(client, q="партисипаторное бюджетирование", fallback=1))
    assert unpublished.pk not in found and drafted.pk not in found


def test_an_english_query_finds_a_case_sent_in_russian_only(client, only_in):
    page = only_in("ru", title="Инициативное бюджетирование в Зыхвтоне", summary="Жители Зыхвтона решают.")
    for q in ("participatory budgeting", "participatory budget"):
        assert page.pk not in ids(run(client, "en", q=q)), q
        hits = run(client, "en", q=q, fallback=1)["results"]
        found = [hit for hit in hits if hit["id"] == page.pk]
        assert [(hit["locale"], hit["fallback"]) for hit in found] == [("ru", True)], q
        english = [n for n, hit in enumerate(hits) if hit["locale"] == "en"]
        assert english and max(english) < hits.index(found[0]), (q, hits)
        assert "<mark>" in " ".join(found[0]["highlight"].get("title", [])), found[0]["highlight"]
    # Translated cases are found once, in English: no Russian version of a case that has one.
    hits = run(client, "en", q="participatory budgeting", fallback=1)["results"]
    english_keys = {hit["translation_key"] for hit in hits if hit["locale"] == "en"}
    assert [hit["id"] for hit in hits if hit["locale"] == "ru"] == [page.pk]
    assert page.translation_key not in english_keys


@pytest.fixture
def with_german(settings, driver):
    """A third locale, with its (empty) index on the engine."""
    settings.MANUAL_LOCALES = ["en", "ru", "de"]
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("ru", "Русский"), ("de", "Deutsch")]
    sync_locales()
    if driver == "engine":
        services.engine_driver().rebuild("de", [])
    yield
    if driver == "engine":
        services.engine_driver().rebuild("de", [])


def test_with_three_locales_each_untranslated_case_is_found_once_below_the_readers_language(
    client, only_in, with_german, django_capture_on_commit_callbacks
):
    german = only_in("de", title="Zyxwvut Bürgerhaushalt in Zyxwton")
    russian = only_in("ru", title="Zyxwvut инициативное бюджетирование")
    both = only_in("ru", title="Zyxwvut participatory budgeting, in Russian and German")
    in_german = only_in("de", title="Zyxwvut participatory budgeting, in German and Russian")
    # The German page becomes the Russian case's translation (as wagtail-localize links them).
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPage.objects.filter(pk=in_german.pk).update(translation_key=both.translation_key)
        CaseStudyPage.objects.get(pk=in_german.pk).save_revision().publish()
    english = only_in("en", title="Zyxwvut participatory budgeting in English")
    hits = run(client, "en", q="zyxwvut", fallback=1)["results"]
    found = [(hit["id"], hit["locale"], hit["fallback"]) for hit in hits]
    assert found[0] == (english.pk, "en", False), found
    # The case in Russian and German is found once, in Russian: the first of MANUAL_LOCALES after English.
    assert sorted(found[1:]) == sorted([(german.pk, "de", True), (russian.pk, "ru", True), (both.pk, "ru", True)])
    # A German reader: German first, then the Russian-only case; the case in both is German.
    found = [(hit["id"], hit["locale"]) for hit in run(client, "de", q="zyxwvut", fallback=1)["results"]]
    assert sorted(found[:2]) == sorted([(german.pk, "de"), (in_german.pk, "de")]), found
    assert sorted(found[2:]) == sorted([(english.pk, "en"), (russian.pk, "ru")]), found
