"""Content model of the manual: taxonomies, sections and case studies (DESIGN.md "Content model")."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction, TranslatableMixin
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.foreign_keys import KnownForeignKeysMixin
from core.prepared import PreparedRead
from core.unique_values import KnownUniqueValuesMixin
from manual.blocks import PARAGRAPH_FEATURES, SectionBodyBlock, list_items_with_ids
from manual.case_facts import CASE_FACT_NAMES, CASE_FACTS, case_fact, fact_contradictions
from manual.forms import CaseStudyPageForm, TaxonomyForm

if TYPE_CHECKING:
    # A str or a lazy translation (gettext_lazy), as the stubs' companion package names it.
    from django_stubs_ext import StrOrPromise

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


# --- Taxonomies ----------------------------------------------------------------------------------


class Taxonomy(TranslatableMixin, models.Model):
    """A translatable term with a stable ``code``.

    Each locale has its own row (same ``translation_key``); filters, facets and the index use the
    code, and labels are resolved by code + locale at read time (``manual.services.taxonomies``).
    """

    code = models.SlugField(max_length=64, help_text=_("Stable identifier used by filters and the API."))
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    override_translatable_fields = [SynchronizedField("code"), SynchronizedField("sort_order")]
    panels = [FieldPanel("code"), FieldPanel("label"), FieldPanel("description"), FieldPanel("sort_order")]
    base_form_class = TaxonomyForm

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    def validate_unique(self, exclude=None) -> None:
        super().validate_unique(exclude)
        clash = type(self).objects.filter(code=self.code, locale_id=self.locale_id).exclude(pk=self.pk)
        if self.code and self.locale_id and clash.exists():
            raise ValidationError({"code": _("This code is already used in this language.")})


def _taxonomy_meta(verbose_name: StrOrPromise, verbose_name_plural: StrOrPromise) -> type[Taxonomy.Meta]:
    class Meta(Taxonomy.Meta):
        abstract = False
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="%(app_label)s_%(class)s_code_locale"),
        ]

    Meta.verbose_name = verbose_name
    Meta.verbose_name_plural = verbose_name_plural
    return Meta


class Topic(Taxonomy):
    Meta = _taxonomy_meta(_("topic"), _("topics"))


class EParticipationTool(Taxonomy):
    Meta = _taxonomy_meta(_("eParticipation tool"), _("eParticipation tools"))


class ParticipationLevel(Taxonomy):
    Meta = _taxonomy_meta(_("participation level"), _("participation levels"))


class GovernmentLevel(Taxonomy):
    Meta = _taxonomy_meta(_("government level"), _("government levels"))


class PolicyStage(Taxonomy):
    Meta = _taxonomy_meta(_("policy-cycle stage"), _("policy-cycle stages"))


# --- Glossary ------------------------------------------------------------------------------------


def _known_locale(code: str) -> None:
    if code not in settings.MANUAL_LOCALES:
        raise ValidationError(
            _("Unknown language %(code)s; configured: %(locales)s."),
            params={"code": code, "locales": ", ".join(settings.MANUAL_LOCALES)},
            code="unknown_locale",
        )


def _has_words(text: str) -> None:
    if not any(character.isalnum() for character in text):
        raise ValidationError(_("Give a word or a phrase, with at least one letter or digit."), code="no_words")


class GlossaryConcept(ClusterableModel):
    """One concept of the manual's vocabulary with its terms in each language (docs/search.md
    "Glossary"): a search with ``fallback=1`` finds cases in another language through them. The
    taxonomy terms are concepts too, derived from the taxonomies (``manual.services.glossary``)."""

    name = models.CharField(
        _("name"), max_length=120, unique=True, help_text=_("What the editors call this concept, e.g. in English.")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("For translators: what the concept covers."))

    panels = [
        FieldPanel("name"),
        FieldPanel("note"),
        InlinePanel("terms", heading=_("Terms"), label=_("Term"), min_num=1),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("glossary concept")
        verbose_name_plural = _("glossary concepts")

    def __str__(self) -> str:
        return self.name


class GlossaryTerm(Orderable):
    """A label or synonym of a concept in one language; every one of them is searched alike."""

    concept = ParentalKey(GlossaryConcept, on_delete=models.CASCADE, related_name="terms")
    locale = models.CharField(_("language"), max_length=16, validators=[_known_locale])
    text = models.CharField(_("term"), max_length=120, validators=[_has_words])
    synonym = models.BooleanField(
        _("synonym"), default=False, help_text=_("Another word for the concept, not its usual label.")
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("locale", widget=forms.Select(choices=[(code, code) for code in settings.MANUAL_LOCALES])),
                FieldPanel("text"),
                FieldPanel("synonym"),
            ]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return f"{self.text} ({self.locale})"


# --- Pages ---------------------------------------------------------------------------------------


# Read for every page a reader opens: its SQL compiled once per process (core.prepared).
_view_restrictions = PreparedRead(lambda page_ids: PageViewRestriction.objects.filter(page_id__in=page_ids), [int])


class ManualPage(KnownForeignKeysMixin, KnownUniqueValuesMixin, HeadlessPreviewMixin, Page):
    """Behaviour shared by the manual's page types."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        # A stand-in (a converted alias awaiting its reviewed translation) shows its source page,
        # as the alias did, never its own unreviewed row; the chrome marks it (templatetags/reader.py).
        # Services are imported where used: they import these models (a cycle at module level; the
        # one edge from models to services, listed in .importlinter: Wagtail serves a page through it).
        from manual.services.publication import is_awaiting_translation, source_language_page  # noqa: PLC0415

        if is_awaiting_translation(self):
            source = source_language_page(self)
            if source is None:
                raise Http404
            request.stand_in = self
            return source.specific.serve(request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    def get_view_restrictions(self):
        # The chain the page was routed through (services.routing.route_below) names every page
        # whose restriction applies; Wagtail's own reads it again. An alias anywhere in it takes
        # its source's restrictions: Wagtail resolves those.
        chain = self.__dict__.get("route_ancestors")
        if chain is None or self.alias_of_id or any(page.alias_of_id for page in chain):
            return super().get_view_restrictions()
        return _view_restrictions.queryset([self.pk, *(page.pk for page in chain)])

    def serve_preview(self, request, mode_name):
        # With HEADLESS_PREVIEW_CLIENT_URL an external front end previews the draft (it fetches it
        # by token from /api/preview, docs/reader.md); otherwise the reader templates render it.
        if settings.HEADLESS_PREVIEW_CLIENT_URL:
            return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
        return Page.serve_preview(self, request, mode_name)


class ManualHomePage(ManualPage):
    """Root of one locale's manual tree."""

    intro = RichTextField(blank=True, features=PARAGRAPH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["manual.ManualSectionPage", "manual.CaseStudyIndexPage"]

    class Meta:
        verbose_name = _("manual home page")

    def route(self, request, path_components):
        # Wagtail walks the tree one query pair per path segment; the home reads the whole chain
        # at once (routing.route_below), and leaves to Wagtail what that does not settle.
        from manual.services.routing import route_below  # noqa: PLC0415 - imports these models, as in serve()

        found = route_below(self, request, path_components)
        return found if found is not None else super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from manual.services.reader import home_context  # noqa: PLC0415 - imports these models, as in serve()

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(self, request))
        return context


class ManualSectionPage(ManualPage):
    """A chapter or sub-section of the manual; sections nest."""

    intro = models.TextField(blank=True, max_length=1000)
    body = StreamField(SectionBodyBlock(), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["manual.ManualHomePage", "manual.ManualSectionPage"]
    subpage_types = ["manual.ManualSectionPage"]

    class Meta:
        verbose_name = _("manual section")

    def clean(self) -> None:
        super().clean()
        # List items need stable ids to be translatable (see manual/blocks.py): runs before every
        # save and save_revision, whoever assigned the body.
        raw = list(self.body.raw_data)
        with_ids = list_items_with_ids(self.body.stream_block, raw)
        if with_ids != raw:
            self.body = with_ids

    def get_context(self, request, *args, **kwargs):
        from manual.services.reader import section_context  # noqa: PLC0415 - imports these models, as in serve()

        context = super().get_context(request, *args, **kwargs)
        context.update(section_context(self, request))
        return context


class CaseStudyIndexPage(ManualPage):
    """The list of case studies of one locale.

    Its template renders the list with the search app's ``{% search_listing "case_study" %}``: the
    search restricted to case studies, with the same GET form, facets and counts.
    """

    intro = RichTextField(blank=True, features=PARAGRAPH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["manual.ManualHomePage"]
    subpage_types = ["manual.CaseStudyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("case study index")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class Licence(models.TextChoices):
    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA_4 = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"


# The licences' deeds: linked from a case page (rel="license") and named in its schema.org data.
LICENCE_URLS: dict[str, str] = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


BODY_SECTIONS = ("context", "objectives", "approach", "technology", "results", "lessons", "transferability")
# The headings of the body sections, as readers and submitters see them.
BODY_SECTION_LABELS = {
    "context": _("Context"),
    "objectives": _("Objectives"),
    "approach": _("Approach"),
    "technology": _("Technology"),
    "results": _("Results"),
    "lessons": _("Lessons learned"),
    "transferability": _("Transferability"),
}


class CaseStudyPage(ManualPage):
    """One city's or region's eParticipation initiative, told in a fixed structure."""

    summary = models.TextField(max_length=1500, help_text=_("Two or three sentences shown in lists and search."))

    organisation = models.CharField(max_length=255)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    country = CountryField()
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    population = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("Inhabitants of the jurisdiction."))

    # null=True keeps the database permissive for copies made by code; clean() requires a value.
    government_level = models.ForeignKey(GovernmentLevel, null=True, on_delete=models.PROTECT, related_name="+")
    participation_level = models.ForeignKey(ParticipationLevel, null=True, on_delete=models.PROTECT, related_name="+")
    stages = ParentalManyToManyField(PolicyStage, related_name="+")
    topics = ParentalManyToManyField(Topic, related_name="+")
    tools = ParentalManyToManyField(EParticipationTool, related_name="+")

    start_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    initiative_status = models.CharField(max_length=16, choices=InitiativeStatus.choices)

    context = RichTextField(features=PARAGRAPH_FEATURES)
    objectives = RichTextField(features=PARAGRAPH_FEATURES)
    approach = RichTextField(features=PARAGRAPH_FEATURES)
    technology = RichTextField(blank=True, features=PARAGRAPH_FEATURES)
    results = RichTextField(features=PARAGRAPH_FEATURES)
    lessons = RichTextField(blank=True, features=PARAGRAPH_FEATURES, verbose_name=_("lessons learned"))
    transferability = RichTextField(blank=True, features=PARAGRAPH_FEATURES)

    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY_4)
    attribution = models.CharField(max_length=255, blank=True, help_text=_("Who to credit when reusing the text."))

    # Participation and evaluation, all optional: declared once in manual.case_facts (kinds, choices).
    participants = case_fact("participants").model_field()
    participation_mode = case_fact("participation_mode").model_field()
    eligibility = case_fact("eligibility").model_field()
    recruitment = case_fact("recruitment").model_field()
    organiser_type = case_fact("organiser_type").model_field()
    funder_type = case_fact("funder_type").model_field()
    evaluated = case_fact("evaluated").model_field()
    evaluator = case_fact("evaluator").model_field()
    evaluation_method = case_fact("evaluation_method").model_field()
    evaluation_report = case_fact("evaluation_report").model_field()

    # Taxonomy links are synchronised: every translation points at the same terms, whose labels
    # are read by code in the visitor's locale. Never rely on wagtail-localize to translate them.
    override_translatable_fields = [
        SynchronizedField("government_level"),
        SynchronizedField("participation_level"),
        SynchronizedField("stages"),
        SynchronizedField("topics"),
        SynchronizedField("tools"),
        TranslatableField("attribution"),
        # Texts translated; codes, counts and links synchronised (manual.case_facts).
        *(fact.translatable_field() for fact in CASE_FACTS),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("organisation"),
                FieldRowPanel([FieldPanel("city"), FieldPanel("region"), FieldPanel("country")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude"), FieldPanel("population")]),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year"), FieldPanel("initiative_status")]),
            ],
            heading=_("When"),
        ),
        FieldPanel("hero_image"),
    ]
    classification_panels = [
        FieldPanel("government_level"),
        FieldPanel("participation_level"),
        FieldPanel("stages"),
        FieldPanel("topics"),
        FieldPanel("tools"),
    ]
    body_panels = [FieldPanel(name) for name in BODY_SECTIONS]
    detail_panels = [
        InlinePanel("metrics", heading=_("Outcome metrics"), label=_("Metric")),
        InlinePanel("links", heading=_("Links"), label=_("Link")),
        InlinePanel("documents", heading=_("Documents"), label=_("Document")),
        InlinePanel("contacts", heading=_("Contacts"), label=_("Contact")),
        InlinePanel("related_cases", heading=_("Related cases"), label=_("Related case")),
        MultiFieldPanel([FieldPanel("licence"), FieldPanel("attribution")], heading=_("Licence")),
    ]
    participation_panels = [
        MultiFieldPanel([FieldPanel(name) for name in CASE_FACT_NAMES], heading=_("Participation and evaluation"))
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Case")),
            ObjectList(classification_panels, heading=_("Classification")),
            ObjectList(body_panels, heading=_("Story")),
            ObjectList(participation_panels, heading=_("Participation and evaluation")),
            ObjectList(detail_panels, heading=_("Metrics, links and contacts")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    # Wagtail's own (admin) search; the manual's faceted search has its own index (search app).
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("organisation"),
        index.SearchField("city"),
        *(index.SearchField(name) for name in BODY_SECTIONS),
        index.FilterField("government_level"),
        index.FilterField("participation_level"),
        index.FilterField("start_year"),
        index.FilterField("initiative_status"),
    ]

    base_form_class = CaseStudyPageForm
    parent_page_types = ["manual.CaseStudyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def get_context(self, request, *args, **kwargs):
        from manual.services.reader import case_context  # noqa: PLC0415 - imports these models, as in serve()

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = [
            (name, self._meta.get_field(name).verbose_name.capitalize(), getattr(self, name)) for name in BODY_SECTIONS
        ]
        context.update(case_context(self, request))
        return context

    @property
    def coordinates(self) -> tuple[Decimal, Decimal] | None:
        """(latitude, longitude) when the case has both; ``clean`` refuses one without the other."""
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    def clean(self) -> None:
        super().clean()
        errors: dict[str, StrOrPromise] = {}
        if self.end_year and self.start_year and self.end_year < self.start_year:
            errors["end_year"] = _("The end year cannot be before the start year.")
        if self.initiative_status == InitiativeStatus.COMPLETED and not self.end_year:
            errors["end_year"] = _("A completed initiative needs an end year.")
        if self.initiative_status == InitiativeStatus.PLANNED and self.end_year:
            errors["end_year"] = _("A planned initiative cannot have an end year yet.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        if self.government_level_id is None:
            errors["government_level"] = _("Choose a government level.")
        if self.participation_level_id is None:
            errors["participation_level"] = _("Choose a participation level.")
        errors.update(fact_contradictions({fact.name: getattr(self, fact.name) for fact in CASE_FACTS}))
        if errors:
            raise ValidationError(errors)


# --- Inline children of a case study -------------------------------------------------------------


class CaseStudyMetric(TranslatableMixin, Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="metrics")
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    unit = models.CharField(max_length=60, blank=True)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("value"), FieldPanel("unit")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("outcome metric")


class CaseStudyLink(TranslatableMixin, Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)

    panels = [FieldRowPanel([FieldPanel("title"), FieldPanel("url")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("link")


class CaseStudyContact(Orderable):
    """A public contact for the initiative; synchronised to translations, never sent to translators."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True, max_length=500)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("email"), FieldPanel("url")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("contact")


class CaseStudyDocument(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")


class RelatedCase(Orderable):
    """A link to another case; read in the visitor's locale through its translation_key."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="related_cases")
    case = models.ForeignKey(CaseStudyPage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("case")]

    class Meta(Orderable.Meta):
        verbose_name = _("related case")


# --- Translation review ----------------------------------------------------------------------------


class MachineStringReview(models.Model):
    """A human's confirmation that a machine-translated string (wagtail-localize) is fit to publish.

    The review holds while the string is unchanged: a string updated after ``reviewed_at`` (machine
    translated again, or edited) needs a new review (``manual.services.translations``).
    """

    string_translation = models.OneToOneField(
        "wagtail_localize.StringTranslation", on_delete=models.CASCADE, related_name="machine_review"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("machine translation review")

    def __str__(self) -> str:
        return f"review of string translation {self.string_translation_id}"


class AwaitingTranslation(models.Model):
    """A live page in a locale's tree whose text is not yet a reviewed translation.

    wagtail-localize turns a live alias (the source page's copy that stands in for a missing
    translation) into a regular page as soon as a translation starts, from any path: "Translate
    this page", the sync view, ``TranslationCreator`` in code, Wagtail's "Convert alias". The page
    is then live with source-language text, and its row later receives unreviewed drafts. Until a
    revision of it is published (a moderator's approval, or an editor's "Publish"), it remains
    what the alias was: a stand-in. Readers get the source page marked as a fallback, the API
    answers the source (``fallback: true``), search and hreflang ignore it
    (``manual.services.publication``).
    """

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="awaiting_translation")
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("page awaiting its translation")

    def __str__(self) -> str:
        return f"page {self.page_id} awaiting its translation"


class AccessibilityFeedback(models.Model):
    """A feedback message waiting for its e-mail (manual.services.feedback): kept until it is sent.

    The row is what makes an SMTP outage lose nothing: the task that sends it deletes it once the
    mail server took it; until then ``send_accessibility_feedback`` sends what is left.
    """

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    page_url = models.CharField(max_length=500, blank=True)
    message = models.TextField()
    language = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "accessibility feedback not yet sent"

    def __str__(self) -> str:
        return f"Accessibility feedback of {self.created_at:%Y-%m-%d %H:%M}"
