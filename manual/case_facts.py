"""Participation and evaluation facts of a case, each declared once (issue 14, point 8).

Participedia records as structured data what the manual kept as free text: how many took part,
online or in person, who could take part and how they were recruited, who organised and funded
it, whether and how it was evaluated. Every fact is optional. ``CASE_FACTS`` states, per fact, its
name (the case field, the submission and import document's field, the API's and the open data's),
its kind (a count, a choice among codes, a short text, a link), its label and, for a choice, its
codes with their translated labels. Everything else is derived from it: the model fields
(``CaseStudyPage``, via ``model_field``), the admin's "Participation and evaluation" panel, which
facts are translated (``translatable_field``: texts are, codes, counts and links are synchronised),
the submission document and form and hence the import format (``submissions``), the API's case
detail (``manual.schemas``, ``manual.services.api_shapes``), the open-data records, CSV columns and
codebook (``opendata.services``) and the facts on the reader's case page (``manual.services.reader``).

The choice sets (docs/import-format.md lists their codes):

- ``ParticipationMode``: where participation happened: online, in person, or both (hybrid);
- ``Eligibility``: who could take part: anyone, targeted groups, people chosen by random
  selection (sortition, as in citizens' assemblies);
- ``OrganisationType``: of the organiser and of the funder: a government or public authority, a
  civil-society organisation, an academic institution, a private company, an international
  organisation, or several of these together (mixed);
- ``EvaluationStatus``: whether the initiative was evaluated: yes, no or unknown;
- ``Evaluator``: by whom: the organiser itself (internal), an independent body (external), or
  researchers (academic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail_localize.fields import SynchronizedField, TranslatableField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_PARTICIPANTS = 10**10
TEXT_MAX_LENGTH = 255
URL_MAX_LENGTH = 500
CODE_MAX_LENGTH = 20


class ParticipationMode(models.TextChoices):
    ONLINE = "online", pgettext_lazy("participation mode", "Online")
    IN_PERSON = "in_person", pgettext_lazy("participation mode", "In person")
    HYBRID = "hybrid", pgettext_lazy("participation mode", "Hybrid (online and in person)")


class Eligibility(models.TextChoices):
    OPEN = "open", _("Open to all")
    TARGETED = "targeted", _("Targeted groups")
    RANDOM = "random", _("Random selection")


class OrganisationType(models.TextChoices):
    GOVERNMENT = "government", _("Government or public authority")
    CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
    ACADEMIC = "academic", _("Academic institution")
    PRIVATE = "private", _("Private company")
    INTERNATIONAL = "international", _("International organisation")
    MIXED = "mixed", _("Mixed (several of these)")


class EvaluationStatus(models.TextChoices):
    YES = "yes", pgettext_lazy("evaluated", "Yes")
    NO = "no", pgettext_lazy("evaluated", "No")
    UNKNOWN = "unknown", pgettext_lazy("evaluated", "Unknown")


class Evaluator(models.TextChoices):
    INTERNAL = "internal", _("Internal (the organiser)")
    EXTERNAL = "external", _("External (an independent body)")
    ACADEMIC = "academic", _("Academic (researchers)")


COUNT, CHOICE, TEXT, URL = "count", "choice", "text", "url"


@dataclass(frozen=True, kw_only=True)
class CaseFact:
    """One optional structured fact of a case."""

    name: str  # the case field, and the name in every document, API answer and dump
    kind: str  # COUNT, CHOICE, TEXT or URL
    label: StrOrPromise  # its heading (admin, form, reader's facts)
    help_text: StrOrPromise = ""
    choices: type[models.TextChoices] | None = None  # a CHOICE's codes and labels

    def model_field(self) -> models.Field:
        """The ``CaseStudyPage`` field: empty ("" or null) when not known."""
        common: dict[str, Any] = {"blank": True, "verbose_name": self.label, "help_text": self.help_text}
        if self.kind == COUNT:
            message = _("Give a whole number of at least 1, or leave it empty.")
            return models.PositiveBigIntegerField(
                null=True,
                validators=[MinValueValidator(1, message), MaxValueValidator(MAX_PARTICIPANTS, message)],
                **common,
            )
        if self.kind == CHOICE:
            assert self.choices is not None
            return models.CharField(max_length=CODE_MAX_LENGTH, choices=self.choices.choices, **common)
        if self.kind == URL:
            return models.URLField(max_length=URL_MAX_LENGTH, **common)
        return models.CharField(max_length=TEXT_MAX_LENGTH, **common)

    @property
    def translatable(self) -> bool:
        """Texts are translated; codes, counts and links are the same in every language."""
        return self.kind == TEXT

    def translatable_field(self) -> TranslatableField | SynchronizedField:
        return TranslatableField(self.name) if self.translatable else SynchronizedField(self.name)

    def stored(self, value: Any) -> Any:
        """A document's value (None when absent) as the model field holds it: null or ""."""
        if self.kind == COUNT:
            return value
        return value or ""

    @property
    def description(self) -> str:
        """Its label and help in English, for the documents that describe themselves (schemas)."""
        with translation.override(None):
            return " ".join(part for part in (str(self.label) + ".", str(self.help_text)) if part)

    def codes(self) -> list[str]:
        return list(self.choices.values) if self.choices else []

    def label_of(self, code: str | None, language_code: str | None) -> str | None:
        """A code's label in a language (None for no code; an unknown code is its own label)."""
        if not code:
            return None
        if self.choices is None or code not in self.choices.values:
            return code
        with translation.override(language_code):
            return str(self.choices(code).label)

    def choice(self, code: str | None, language_code: str | None) -> dict[str, str] | None:
        """A CHOICE's API shape: ``{"code", "label"}`` in the language, or None."""
        label = self.label_of(code, language_code)
        return None if label is None or code is None else {"code": code, "label": label}


CASE_FACTS: tuple[CaseFact, ...] = (
    CaseFact(name="participants", kind=COUNT, label=_("Number of participants"),
             help_text=_("People who took part (at least 1); leave empty when unknown.")),
    CaseFact(name="participation_mode", kind=CHOICE, label=_("Mode of participation"), choices=ParticipationMode),
    CaseFact(name="eligibility", kind=CHOICE, label=_("Who could take part"), choices=Eligibility),
    CaseFact(name="recruitment", kind=TEXT, label=_("How participants were recruited"),
             help_text=_("For example: open call, letters to a random sample, invitations to associations.")),
    CaseFact(name="organiser_type", kind=CHOICE, label=_("Type of organiser"), choices=OrganisationType),
    CaseFact(name="funder_type", kind=CHOICE, label=_("Type of funder"), choices=OrganisationType),
    CaseFact(name="evaluated", kind=CHOICE, label=_("Evaluated"), choices=EvaluationStatus),
    CaseFact(name="evaluator", kind=CHOICE, label=_("Evaluated by"), choices=Evaluator),
    CaseFact(name="evaluation_method", kind=TEXT, label=_("Evaluation method"),
             help_text=_("For example: participant survey, independent audit, academic study.")),
    CaseFact(name="evaluation_report", kind=URL, label=_("Evaluation report"),
             help_text=_("Address of the published evaluation.")),
)  # fmt: skip
CASE_FACT_NAMES: tuple[str, ...] = tuple(fact.name for fact in CASE_FACTS)


def case_fact(name: str) -> CaseFact:
    """The fact of ``name`` (``KeyError`` for any other)."""
    return {fact.name: fact for fact in CASE_FACTS}[name]


def fact_value(fact: CaseFact, page: Any, language_code: str | None) -> Any:
    """A fact of a page as the API gives it: a choice as code and label, else the stored value."""
    value = getattr(page, fact.name)
    if fact.kind == CHOICE:
        return fact.choice(value, language_code)
    return value


def fact_display(fact: CaseFact, page: Any) -> Any:
    """A fact of a page as a reader sees it (in the active language), or None when empty."""
    value = getattr(page, fact.name)
    if value in (None, ""):
        return None
    if fact.kind == CHOICE:
        return fact.label_of(value, translation.get_language())
    return value


# What only an evaluated initiative has: by whom, how, and where the report is.
EVALUATION_DETAILS: tuple[str, ...] = ("evaluator", "evaluation_method", "evaluation_report")
# The evaluation statuses that say there is no evaluation to describe (or none known).
WITHOUT_EVALUATION = frozenset({EvaluationStatus.NO.value, EvaluationStatus.UNKNOWN.value})
# The API's and the import report's error code of a fact that contradicts another.
CONTRADICTION = "contradicts"


def fact_contradictions(values: Mapping[str, Any]) -> dict[str, str]:
    """Facts that contradict another fact, by name, each with the message saying why (in the
    active language); empty when the facts agree.

    The one rule the page (``CaseStudyPage.clean``) and every submission (the form, the API and
    the import: ``submissions.services.validate``) apply: an initiative marked as not evaluated, or
    whose evaluation is unknown, has no evaluator, evaluation method or report. ``values`` maps
    fact names to their codes or texts (missing or empty: not stated).
    """
    status = str(values.get("evaluated") or "")  # a code, or a member of EvaluationStatus
    if status not in WITHOUT_EVALUATION:
        return {}
    evaluated = case_fact("evaluated")
    message = gettext("This contradicts “%(fact)s: %(status)s”: change that to “%(yes)s”, or leave this empty.") % {
        "fact": evaluated.label,
        "status": evaluated.label_of(status, translation.get_language()),
        "yes": EvaluationStatus.YES.label,
    }
    return {name: message for name in EVALUATION_DETAILS if values.get(name)}
