"""Images and documents as the API serves them: public ones only, images as a set of renditions.

Public media: an image or document outside every collection with a view restriction (Wagtail's
``CollectionViewRestriction``, as its document view applies it, and the one that keeps the files
of submissions in review private, ``manual.services.review.ensure_in_review_collection``).
Anything else is no public file: its block, or its place in rich text, is left out of answers.

A front end renders an image from ``srcset`` (one rendition per width of ``SRCSET_WIDTHS``, declared
with the API's shapes in ``manual.schemas``, as
``<img srcset="url 480w, ...">`` takes it) and ``src`` (the rendition of ``SRC_SPEC``, for clients
that ignore ``srcset``). Wagtail's ``width-N`` never enlarges: an image narrower than a width gets
its own width there, and the repeated entry is left out of ``srcset``. URLs are site-relative, as
the API's page URLs are.

Renditions of a batch of images are read in one query (``prefetch_renditions``); the first request
after an image is chosen makes the missing ones (a write each, once).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, reduce
from operator import or_
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, CollectionViewRestriction

from manual.schemas import SRC_WIDTH, SRCSET_WIDTHS

SRCSET_SPECS = tuple(f"width-{width}|format-webp" for width in SRCSET_WIDTHS)
SRC_SPEC = SRCSET_SPECS[SRCSET_WIDTHS.index(SRC_WIDTH)]


class PublicMedia:
    """Which images and documents of one answer are public; restrictions read once, on first use."""

    @cached_property
    def _private_collections(self) -> set[int]:
        """Collections with a view restriction and those under them (one query, two when any)."""
        paths = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
        conditions = [Q(path__startswith=path) for path in set(paths)]
        if not conditions:
            return set()
        return set(Collection.objects.filter(reduce(or_, conditions)).values_list("pk", flat=True))

    def is_public(self, item: AbstractImage | AbstractDocument | None) -> bool:
        return item is not None and item.collection_id not in self._private_collections

    def images(self, ids: Iterable[int]) -> dict[int, AbstractImage]:
        """The public images among ``ids``, renditions prefetched: two queries for any number."""
        wanted = set(ids)
        if not wanted:
            return {}
        found = get_image_model().objects.filter(pk__in=wanted).prefetch_renditions(*SRCSET_SPECS)
        return {image.pk: image for image in found if self.is_public(image)}

    def documents(self, ids: Iterable[int]) -> dict[int, AbstractDocument]:
        wanted = set(ids)
        if not wanted:
            return {}
        found = get_document_model().objects.filter(pk__in=wanted)
        return {document.pk: document for document in found if self.is_public(document)}


def prefetch_renditions(images: Iterable[AbstractImage | None]) -> None:
    """Attach the stored renditions of ``SRCSET_SPECS`` to images already loaded: one query for all."""
    pending = [image for image in images if image is not None and not hasattr(image, "prefetched_renditions")]
    if pending:
        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec__in=SRCSET_SPECS)
        prefetch_related_objects(pending, Prefetch("renditions", queryset=renditions, to_attr="prefetched_renditions"))


def image_sources(image: AbstractImage) -> dict[str, Any]:
    """``id``, ``title``, ``src`` and ``srcset`` (each rendition's ``url``, ``width``, ``height``)."""
    srcset: list[dict[str, Any]] = []
    src: dict[str, Any] = {}
    for spec, rendition in image.get_renditions(*SRCSET_SPECS).items():
        source = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
        if spec == SRC_SPEC:
            src = source
        if all(known["width"] != source["width"] for known in srcset):
            srcset.append(source)
    return {"id": image.pk, "title": image.title, "src": src or srcset[-1], "srcset": srcset}


def document_ref(document: AbstractDocument) -> dict[str, Any]:
    return {"id": document.pk, "title": document.title, "url": document.url}
