from django import forms
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Locale

TAXONOMY_FIELDS = ("government_level", "participation_level", "stages", "topics", "tools")


class CaseStudyPageForm(WagtailAdminPageForm):
    """Offer taxonomy terms once each, labelled in the language of the page being edited.

    Pages link the terms of the default locale (the links are synchronised to translations), so the
    choices are those rows; their labels are looked up by code in the page's own locale.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Imported here: manual.models imports this module for base_form_class, and the taxonomies
        # service imports manual.models (a cycle at module level).
        from manual.services.taxonomies import default_locale_terms, label_lookup

        locale = self.instance.locale if self.instance.locale_id else None
        if locale is None and self.parent_page is not None:
            locale = self.parent_page.locale
        labels = label_lookup(locale.language_code if locale else None)
        for name in TAXONOMY_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            model = field.queryset.model
            field.queryset = default_locale_terms(model)
            field.label_from_instance = lambda term, model=model: labels.label(model, term.code, term.label)
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple()
                field.widget.choices = field.choices


class TaxonomyForm(WagtailAdminModelForm):
    """A term's ``code`` is edited in the default locale only.

    Filters, facets, links and the index use the code, and wagtail-localize copies it from the
    source term to its translations (a synchronised field): in another locale's row it is shown
    read-only, and a posted value is ignored.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields.get("code")
        if code is not None and self.instance.pk and self.instance.locale_id != Locale.get_default().pk:
            code.disabled = True
