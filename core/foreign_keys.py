"""Foreign keys that ``full_clean`` need not read again.

Django's ``ForeignKey.validate`` proves that the related row exists by reading it: one query per key
on every ``full_clean``. Wagtail cleans a page on each save (three in an import: created, revision,
publication) and every audit-log entry on its save, about a fifth of an import's queries
(docs/performance.md "Imports"). A key set from a row this process read or saved is that proof
already, and the database's foreign key still refuses a row deleted in between. Every other key (a
bare id, ``limit_choices_to``) is checked as before.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def related_row_known(instance: models.Model, field: Any) -> bool:
    """Whether ``instance``'s foreign key ``field`` holds a row this process read or saved: the
    related object it was set from (or read through it), stored and with the key's value; or, for
    the link of a multi-table child to its parent, the instance's own parent row."""
    if not field.is_relation or not field.concrete or field.get_limit_choices_to():
        return False
    if field.remote_field.parent_link:
        # The parent row of a stored child is its own row (same key): read with it, never another's.
        return not instance._state.adding and getattr(instance, field.attname) == instance.pk
    if not field.many_to_one or not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return (
        related is not None
        and not related._state.adding
        and getattr(related, field.target_field.attname) == getattr(instance, field.attname)
    )


def known_foreign_keys(instance: models.Model) -> set[str]:
    """The names of ``instance``'s foreign keys that ``clean_fields`` may leave out."""
    return {field.name for field in instance._meta.concrete_fields if related_row_known(instance, field)}


class KnownForeignKeysMixin:
    """For a model: ``clean_fields`` without reading the rows of the keys this process holds."""

    def clean_fields(self, exclude: Any = None) -> None:
        assert isinstance(self, models.Model)
        super().clean_fields(exclude={*(exclude or ()), *known_foreign_keys(self)})  # type: ignore[misc]


def clean_known_foreign_keys_without_reading(model: type[models.Model]) -> None:
    """The same for a library's model that cleans itself on save (Wagtail's ``PageLogEntry``)."""
    clean_fields = model.clean_fields

    def clean_fields_without_known_keys(self: models.Model, exclude: Any = None) -> None:
        clean_fields(self, exclude={*(exclude or ()), *known_foreign_keys(self)})

    model.clean_fields = clean_fields_without_known_keys  # type: ignore[method-assign]
