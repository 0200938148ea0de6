"""Generated case studies for the benchmarks: N cases per locale (en, ru) with realistic text, taxonomy
spread and coordinates. Import after ``django.setup()`` (it imports the models).

Used by bench/search.py, bench/export.py and bench/sitemap.py.
"""

import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from manual.models import (
    CaseStudyIndexPage,
    CaseStudyPage,
    EParticipationTool,
    GovernmentLevel,
    ParticipationLevel,
    PolicyStage,
    Topic,
)

WORDS = {
    "en": [
        "citizens",
        "residents",
        "city",
        "council",
        "budget",
        "proposals",
        "vote",
        "online",
        "platform",
        "participation",
        "neighbourhood",
        "consultation",
        "petition",
        "digital",
        "democracy",
        "transparency",
        "projects",
        "youth",
        "schools",
        "climate",
        "mobility",
        "housing",
        "district",
        "assembly",
        "deliberation",
        "feedback",
        "open",
        "data",
        "survey",
        "map",
        "report",
        "streets",
        "parks",
    ],
    "ru": [
        "граждане",
        "жители",
        "город",
        "совет",
        "бюджет",
        "предложения",
        "голосование",
        "платформа",
        "участие",
        "район",
        "консультация",
        "петиция",
        "цифровая",
        "демократия",
        "прозрачность",
        "проекты",
        "молодёжь",
        "школы",
        "климат",
        "транспорт",
        "жильё",
        "собрание",
        "обсуждение",
        "отзывы",
        "данные",
        "опрос",
        "карта",
        "улицы",
        "парки",
    ],
}
COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LT",
    "LV",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "GB",
]


def sentence(rng: random.Random, language: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _ in range(n)).capitalize() + "."


def generate(cases: int, translated: bool = False) -> None:
    """``cases`` live cases per locale; with ``translated``, the Russian case N is the translation
    of the English case N (one translation key) and every case has publication dates, as cases
    published through the admin have (hreflang alternates and lastmod in the sitemap)."""
    rng = random.Random(42)
    terms = {model: list(model.objects.filter(locale__language_code="en")) for model in
             (Topic, EParticipationTool, PolicyStage, GovernmentLevel, ParticipationLevel)}  # fmt: skip
    keys = [uuid.uuid4() for _ in range(cases)]
    for language in ("en", "ru"):
        locale = Locale.objects.get(language_code=language)
        index = CaseStudyIndexPage.objects.get(locale=locale)
        with transaction.atomic():
            for number in range(cases):
                body = " ".join(sentence(rng, language, rng.randint(8, 16)) for _ in range(6))
                extra = {}
                if translated:
                    now = timezone.now()
                    extra = {"translation_key": keys[number], "first_published_at": now, "last_published_at": now}
                page = CaseStudyPage(
                    **extra,
                    title=f"{sentence(rng, language, 4)[:-1]} {number}",
                    slug=f"bench-{language}-{number}",
                    locale=locale,
                    summary=sentence(rng, language, 24),
                    organisation=sentence(rng, language, 3),
                    city=rng.choice(WORDS[language]).capitalize(),
                    country=rng.choice(COUNTRIES),
                    latitude=Decimal(f"{rng.uniform(36, 70):.4f}"),
                    longitude=Decimal(f"{rng.uniform(-10, 30):.4f}"),
                    government_level=rng.choice(terms[GovernmentLevel]),
                    participation_level=rng.choice(terms[ParticipationLevel]),
                    start_year=rng.randint(2000, 2025),
                    initiative_status="ongoing",
                    context=f"<p>{body}</p>",
                    objectives=f"<p>{sentence(rng, language, 20)}</p>",
                    approach=f"<p>{sentence(rng, language, 30)}</p>",
                    results=f"<p>{sentence(rng, language, 20)}</p>",
                    live=True,
                )
                page.topics = rng.sample(terms[Topic], rng.randint(1, 3))
                page.tools = rng.sample(terms[EParticipationTool], rng.randint(1, 3))
                page.stages = rng.sample(terms[PolicyStage], rng.randint(1, 2))
                index.add_child(instance=page)


def ensure_cases(cases: int, var: Path, translated: bool = False) -> None:
    """The database of ``var`` with the demo manual and ``cases`` generated cases per locale: made on
    the first run, reused after (a database generated with another number is refused)."""
    call_command("migrate", verbosity=0)
    generated = CaseStudyPage.objects.filter(slug__startswith="bench-en-").count()
    if generated and generated != cases:
        sys.exit(f"{var} holds {generated} generated cases per locale, not {cases}: use another --data")
    if generated:
        print(f"reusing {generated} cases x 2 locales in {var}")
        return
    call_command("load_demo_manual", stdout=open(os.devnull, "w"))  # noqa: SIM115
    t0 = time.perf_counter()
    generate(cases, translated)
    print(f"generated {cases} cases x 2 locales in {time.perf_counter() - t0:.0f} s")
