"""Admin registration: the taxonomies as one "Taxonomies" menu of translatable snippets."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from manual.models import EParticipationTool, GovernmentLevel, ParticipationLevel, PolicyStage, Topic


class TaxonomyViewSet(SnippetViewSet):
    list_display = ["label", "code", "locale"]
    list_filter = ["locale"]
    search_fields = ["label", "code"]
    ordering = ["sort_order", "code"]


def _viewset(taxonomy_model, icon_name: str) -> type[TaxonomyViewSet]:
    return type(f"{taxonomy_model.__name__}ViewSet", (TaxonomyViewSet,), {"model": taxonomy_model, "icon": icon_name})


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Taxonomies"
    menu_icon = "tag"
    menu_order = 300
    items = (
        _viewset(Topic, "tag"),
        _viewset(EParticipationTool, "cogs"),
        _viewset(ParticipationLevel, "group"),
        _viewset(GovernmentLevel, "site"),
        _viewset(PolicyStage, "list-ol"),
    )


register_snippet(TaxonomyGroup)
