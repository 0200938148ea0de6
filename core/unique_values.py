"""Unique values that ``full_clean`` need not look up again.

Django's ``validate_unique`` asks the database, for every unique field and ``unique_together`` group,
whether another row holds the instance's values: two queries on each ``full_clean`` of a Wagtail page
(its tree ``path``; its ``translation_key`` with its ``locale``), and Wagtail cleans a page on its
revision's save and on its publication (docs/performance.md "Imports"). Values the row itself holds
in the database (read with it, or written by its last save, and unchanged since) are unique already:
the database's unique index said so when they were written, and still refuses a clash from another
connection. A group is left out only when all of its values are unchanged; anything new or changed,
and every instance being added, is checked as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models

_STORED = "_unique_values_stored"  # (pk, {attname: value}) in the instance's __dict__


# Both per model class, once per process: ``from_db`` asks for every page instance a query builds.
@cache
def _unique_groups(model: type[models.Model]) -> tuple[tuple[str, ...], ...]:
    """The field-name groups ``validate_unique`` checks: single unique fields and unique_together."""
    groups: list[tuple[str, ...]] = []
    for klass in [model, *model._meta.all_parents]:
        opts = klass._meta
        groups.extend(tuple(group) for group in opts.unique_together)
        groups.extend((field.name,) for field in opts.local_fields if field.unique and not field.primary_key)
    return tuple(groups)


@cache
def _attnames(model: type[models.Model]) -> dict[str, str]:
    """{field name: attname} of every field in a unique group."""
    return {
        name: model._meta.get_field(name).attname  # type: ignore[union-attr]
        for group in _unique_groups(model)
        for name in group
    }


def remember_stored(instance: models.Model, update_fields: Any = None) -> None:
    """Note the unique values ``instance``'s row now holds (after a read, or a save of ``update_fields``)."""
    previous = instance.__dict__.get(_STORED)
    stored = dict(previous[1]) if previous is not None and previous[0] == instance.pk else {}
    if update_fields is None:
        stored = {}
    for name, attname in _attnames(type(instance)).items():
        written = update_fields is None or name in update_fields or attname in update_fields
        if attname in instance.__dict__ and written:
            stored[attname] = instance.__dict__[attname]  # never getattr: a deferred field would be read
    instance.__dict__[_STORED] = (instance.pk, stored)


def unchanged_unique_fields(instance: models.Model) -> set[str]:
    """The fields whose every unique group holds values the row itself stores."""
    remembered = instance.__dict__.get(_STORED)
    if instance._state.adding or remembered is None or remembered[0] != instance.pk or instance.pk is None:
        return set()
    stored = remembered[1]
    attnames = _attnames(type(instance))
    same = {
        name
        for name, attname in attnames.items()
        if attname in stored and attname in instance.__dict__ and instance.__dict__[attname] == stored[attname]
    }
    groups = _unique_groups(type(instance))
    return {name for name in same if all(set(group) <= same for group in groups if name in group)}


class KnownUniqueValuesMixin:
    """For a model: ``validate_unique`` without looking up the values its own row holds."""

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)  # type: ignore[misc]
        remember_stored(instance)
        return instance

    def save_base(self, *args: Any, **kwargs: Any) -> None:
        super().save_base(*args, **kwargs)  # type: ignore[misc]
        assert isinstance(self, models.Model)
        remember_stored(self, kwargs.get("update_fields"))

    def validate_unique(self, exclude: Any = None) -> None:
        assert isinstance(self, models.Model)
        super().validate_unique(exclude={*(exclude or ()), *unchanged_unique_fields(self)})  # type: ignore[misc]
