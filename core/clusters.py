"""Creating a cluster (a page with its inline children) without reading back what it just wrote.

modelcluster's ``save`` commits each relation the instance holds in memory by first reading the
rows stored for it, to delete those no longer held: for an instance being created there are none.
Wagtail's ``save_revision`` then serialises the page by reading every relation again: the rows that
save has just written. For a new case that is nine reads at creation and nine more at its first
revision (docs/performance.md "Imports"). ``created_with_children_known`` tells Django's related
managers what they would read, through their own prefetch cache (the one ``prefetch_related``
fills): nothing before the first save, the rows just written after it. A relation whose stored order
cannot be told in memory (a model without ``Meta.ordering`` of plain ascending fields) is read from
the database as before, and so is anything a caller asks beyond the whole set (a ``filter`` on it is
a new query, as after ``prefetch_related``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations


def _held(instance: models.Model) -> dict[str, tuple[str, type[models.Model], list[Any]]]:
    """Every relation of ``instance``: {prefetch cache name: (accessor, related model, objects held)}."""
    pending = getattr(instance, "_cluster_related_objects", {})
    held = {}
    for relation in get_all_child_relations(instance):
        accessor = relation.get_accessor_name()
        # Django's reverse manager caches under the relation's cache name (its accessor name).
        held[relation.cache_name] = (accessor, relation.related_model, list(pending.get(accessor, ())))
    for field in get_all_child_m2m_relations(instance):
        # The forward many-to-many manager caches under the field's name.
        held[field.name] = (field.name, field.related_model, list(pending.get(field.name, ())))
    return held


def _in_stored_order(model: type[models.Model], objects: list[Any]) -> list[Any] | None:
    """``objects`` in the order the model's manager reads them, or None when that cannot be told."""
    ordering = model._meta.ordering or []
    if len(objects) < 2:
        return objects
    names = [name for name in ordering if isinstance(name, str) and not name.startswith("-") and "__" not in name]
    if not names or len(names) != len(ordering):
        return None
    try:
        return sorted(objects, key=lambda obj: tuple(getattr(obj, name) for name in names))
    except (AttributeError, TypeError):  # a related field in the ordering, or None beside a value
        return None


@contextmanager
def created_with_children_known(instance: models.Model) -> Iterator[None]:
    """Around the first save of a new ``ClusterableModel`` (``parent.add_child(instance=page)``)."""
    if instance.pk is not None:
        yield
        return
    held = _held(instance)
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, (_, model, _) in held.items():
        cache.setdefault(name, model._default_manager.none())
    try:
        yield
    except BaseException:
        for name in held:
            cache.pop(name, None)
        raise
    for name, (accessor, model, objects) in held.items():
        cache.pop(name, None)  # the related manager's add() dropped it where rows were written
        ordered = _in_stored_order(model, objects)
        if ordered is None or any(obj.pk is None for obj in ordered):
            continue
        queryset = getattr(instance, accessor).get_live_queryset()
        queryset._result_cache = ordered
        queryset._prefetch_done = True
        cache[name] = queryset


def hold_children_read(instance: models.Model, accessor: str, objects: list[Any]) -> None:
    """Give ``instance``'s related manager ``accessor`` the rows read for it elsewhere, in its order
    (a ``core.prepared.PreparedRead``), as ``prefetch_related`` would: ``.all()`` answers from them."""
    relation = instance._meta.get_field(accessor)
    assert isinstance(relation, models.ForeignObjectRel), f"{accessor} is not a relation to {type(instance)}'s children"
    for child in objects:
        relation.field.set_cached_value(child, instance)  # child.page, as the prefetch sets it
    queryset = getattr(instance, accessor).get_live_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation.cache_name] = queryset
