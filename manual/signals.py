from typing import Any


def sync_locales_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Roles, review workflow, locales and seed taxonomies exist as soon as the schema does."""
    from manual.services.locales import sync_locales

    sync_locales()
