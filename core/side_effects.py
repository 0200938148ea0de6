"""Side effects of a change that run once after its commit, or once for a whole batch of changes.

A publication has consequences outside its transaction: the search outbox is processed, the HTTP
cache purged, the sitemap and the open-data dumps rebuilt. Each app asks for its effect here with
a key (``after_commit``, or ``after_commit_merged`` for effects that carry values, such as the URLs
to purge); it runs after the commit (``once_per_transaction``: once however often asked).

``batch()`` stretches that to many transactions: an import publishing thousands of cases, one
transaction each, runs every effect once at the end of the batch instead of once per case (one
purge batch with every URL, one outbox round for every page, one sitemap generation). An effect is
only collected when the transaction that asked for it commits (Django forgets the callbacks of a
transaction, or savepoint, that rolls back), and the batch ends on the way out of an exception
too: when an import stops half-way, what it committed is indexed and purged all the same.
Signals stay connected; only their after-commit work is coalesced. Wagtail's own per-save work that
a batch repeats for every case is deferred the same way: its reference index
(``defer_reference_index``) and its own search index, ``modelsearch`` (``index_or_defer``: one bulk
update of every object saved, at the end, instead of up to four per published case).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_save
from django_tasks import task
from modelsearch.backends import get_search_backends_with_name
from modelsearch.index import get_indexed_models
from modelsearch.signal_handlers import post_save_signal_handler as modelsearch_post_save
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from core.task_priorities import TaskPriority

logger = logging.getLogger(__name__)


@dataclass
class _Batch:
    # Insertion order is the order the effects first committed: it is kept when they run.
    effects: dict[Hashable, Callable[[], object]] = field(default_factory=dict)
    merged: dict[Hashable, tuple[dict[str, set], Callable[..., object]]] = field(default_factory=dict)

    def add(self, key: Hashable, callback: Callable[[], object]) -> None:
        self.effects.setdefault(key, callback)

    def merge(self, key: Hashable, values: Mapping[str, Iterable], flush: Callable[..., object]) -> None:
        collected, _flush = self.merged.setdefault(key, ({}, flush))
        for name, items in values.items():
            collected.setdefault(name, set()).update(items)

    def run(self) -> None:
        """Every collected effect once; one that fails is logged and the others still run."""
        effects = [*self.effects.values()]
        for values, flush in self.merged.values():
            effects.append(partial(flush, **{name: sorted(items) for name, items in values.items()}))
        self.effects, self.merged = {}, {}
        for effect in effects:
            try:
                effect()
            except Exception:
                logger.exception("side effect of a batch failed: %r", effect)


_current: ContextVar[_Batch | None] = ContextVar("side_effects_batch", default=None)


def in_batch() -> bool:
    return _current.get() is not None


@contextmanager
def batch() -> Iterator[None]:
    """Coalesce the after-commit effects of every transaction inside into one run at the end.

    The run waits for the enclosing transaction when there is one (a test's, or a caller's), so it
    follows the commits of the effects it collects. Nested batches join the outer one.
    """
    if _current.get() is not None:
        yield
        return
    _route_search_index()
    collected = _Batch()
    token = _current.set(collected)
    try:
        # Wagtail's own switch for its reference index (a task per save, several saves per
        # publication): ``defer_reference_index`` updates each object once at the end instead
        # (its removal on delete is off too: what a batch does is save, it deletes nothing).
        with disable_reference_index_auto_update():
            yield
    finally:
        _current.reset(token)
        transaction.on_commit(collected.run)


def after_commit(key: Hashable, callback: Callable[[], object], *, once_per_transaction: bool = False) -> None:
    """Run ``callback`` after the current transaction commits (with ``once_per_transaction``, once
    however often ``key`` is asked for in that transaction); inside ``batch()``, once at its end."""
    current = _current.get()
    if current is not None:
        transaction.on_commit(partial(current.add, key, callback))
        return
    connection = transaction.get_connection()
    if once_per_transaction and any(_is_once(hook, key) for _savepoints, hook, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_Once(key, callback))


def after_commit_merged(key: Hashable, values: Mapping[str, Iterable], flush: Callable[..., object]) -> None:
    """``flush(**values)`` after the commit; inside ``batch()`` the values of every committed
    transaction are merged (set union per name) and ``flush`` runs once with them, sorted."""
    current = _current.get()
    if current is not None:
        frozen = {name: list(items) for name, items in values.items()}
        transaction.on_commit(partial(current.merge, key, frozen, flush))
        return
    transaction.on_commit(partial(flush, **{name: sorted(set(items)) for name, items in values.items()}), robust=True)


def defer_reference_index(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save inside ``batch()``: the object's entry in Wagtail's reference index is updated
    once when the batch ends (Wagtail's handler, switched off in the batch, would do it per save)."""
    if raw or _current.get() is None or sender not in ReferenceIndex.tracked_models:
        return
    flush = partial(_update_reference_indexes, sender._meta.app_label, sender._meta.model_name)
    after_commit_merged(("reference-index", sender._meta.label), {"pks": [str(instance.pk)]}, flush)


REFERENCE_INDEX_CHUNK = 500  # objects of one model updated by one task at the end of a batch


def _update_reference_indexes(app_label: str, model_name: str, pks: list[str]) -> None:
    """One task per ``REFERENCE_INDEX_CHUNK`` objects of a model, not Wagtail's one per object: in
    production each task costs the worker a claim, a transaction and a result row (an import of
    300 cases queued 300 of them: docs/performance.md "Imports")."""
    for start in range(0, len(pks), REFERENCE_INDEX_CHUNK):
        update_reference_indexes_task.enqueue(app_label, model_name, pks[start : start + REFERENCE_INDEX_CHUNK])


@task(priority=TaskPriority.BOOKKEEPING)
def update_reference_indexes_task(app_label: str, model_name: str, pks: list[str]) -> None:
    """Wagtail's ``update_reference_index_task`` (it finds a child object's parent) for each object;
    gone objects have nothing to index."""
    for pk in pks:
        with contextlib.suppress(ObjectDoesNotExist):
            update_reference_index_task.func(app_label, model_name, pk)


SEARCH_INDEX_CHUNK = 500  # objects read and indexed at a time at the end of a batch


@functools.cache
def _route_search_index() -> None:
    """Put ``index_or_defer`` in the place of modelsearch's post_save handler, once.

    modelsearch connects its handler when Wagtail's search app is ready, after the manual's
    (``ManualConfig.ready`` comes first), hence here, at the first batch. Outside a batch the new
    handler calls modelsearch's own: nothing changes for any other save.
    """
    for model in get_indexed_models():
        if post_save.disconnect(modelsearch_post_save, sender=model):
            post_save.connect(index_or_defer, sender=model, dispatch_uid=("side-effects-search-index", model))


def index_or_defer(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a model in Wagtail's own search index (the admin's page search, modelsearch).

    Outside a batch: modelsearch's handler (an index update per save). Inside one: the object is
    indexed once when the batch ends, with every other object saved, in bulk (``_update_search_index``).
    """
    if _current.get() is None:
        modelsearch_post_save(sender=sender, instance=instance, raw=raw, **kwargs)
        return
    if raw:
        return
    saved = {"objects": [(sender._meta.label, str(instance.pk))]}
    after_commit_merged("wagtail-search-index", saved, _update_search_index)


def _update_search_index(objects: list[tuple[str, str]]) -> None:
    """What modelsearch's ``insert_or_update_object`` does per object, for many: each object as
    its indexed instance (a page as its specific page), if still among its class's indexed objects,
    added to every auto-updated backend, ``SEARCH_INDEX_CHUNK`` at a time."""
    keys: dict[str, list[str]] = defaultdict(list)
    for label, pk in objects:
        keys[label].append(pk)
    backends = [backend for _name, backend in get_search_backends_with_name(with_auto_update=True)]
    for label, pks in keys.items():
        model = apps.get_model(label)
        for start in range(0, len(pks), SEARCH_INDEX_CHUNK):
            chunk = pks[start : start + SEARCH_INDEX_CHUNK]
            by_class: dict[Any, list[Any]] = defaultdict(list)  # an indexed model class: modelsearch's Indexed
            for saved in model._default_manager.filter(pk__in=chunk):
                indexed = saved.get_indexed_instance()
                if indexed is not None:
                    by_class[type(indexed)].append(indexed.pk)
            for indexed_class, indexed_pks in by_class.items():
                instances = list(indexed_class.get_indexed_objects().filter(pk__in=indexed_pks))
                with transaction.atomic():  # one commit per chunk, not one per statement
                    for backend in backends:
                        backend.add_bulk(indexed_class, instances)


def connect() -> None:
    """Connected by ``ManualConfig.ready`` (``core`` is not an app of its own)."""
    post_save.connect(defer_reference_index, dispatch_uid="side-effects-reference-index")


class _Once:
    """An on-commit callback that knows its key, so a transaction holds one per key."""

    def __init__(self, key: Hashable, callback: Callable[[], object]) -> None:
        self.key = key
        self.callback = callback
        # Django's test helper (captureOnCommitCallbacks) runs the callbacks of a transaction that
        # goes on: one that ran no longer stands for what the transaction asks for after it.
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        self.callback()

    def __repr__(self) -> str:
        return f"<after commit {self.key!r}: {self.callback!r}>"


def _is_once(hook: object, key: Hashable) -> bool:
    return isinstance(hook, _Once) and hook.key == key and not hook.ran
