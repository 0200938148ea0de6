from typing import Any


def sync_locales_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Roles, review workflow, locales and seed taxonomies exist as soon as the schema does."""
    from manual.services.locales import sync_locales

    sync_locales()


def connect_taxonomy_cache() -> None:
    """Saving or deleting a taxonomy term drops this process's cached labels."""
    from django.db.models.signals import post_delete, post_save

    from manual.services.taxonomies import TAXONOMY_KINDS, clear_label_cache

    for kind in TAXONOMY_KINDS:
        post_save.connect(clear_label_cache, sender=kind.model, dispatch_uid=f"labels-{kind.kind}-save")
        post_delete.connect(clear_label_cache, sender=kind.model, dispatch_uid=f"labels-{kind.kind}-delete")
