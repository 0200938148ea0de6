"""What every list answer of the API shares: ``{count, next, previous, results}`` and ``fields=``.

``page_links`` derives ``next`` and ``previous`` from the request (the same query string, another
``page``), so no route builds a URL of its own. ``select_fields`` reads ``fields=`` as Wagtail's API
v2 does (docs/api.md "Lists"); the names an item may carry come from its schema, so a field added to
a list's item is selectable with nothing else to edit. ``selectable`` gives that schema's variant
for the OpenAPI document, in which every field ``fields=`` can drop is optional.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import ceil
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Schema
from pydantic import create_model

from core.api_errors import MAX_PAGE, InvalidInput

# In every item whatever ``fields=`` asks: what a client needs to tell items apart and follow them.
ALWAYS = ("id", "type", "url")
MAX_FIELDS_LENGTH = 1000
# A refusal quotes at most this many unknown names, each cut to this length: the message echoes
# what a stranger sent (as ``search.filters`` does for codes).
QUOTED_NAMES = 5
QUOTED_LENGTH = 40

FieldsParam = Query(
    None,
    max_length=MAX_FIELDS_LENGTH,
    description="Fields of each item, comma-separated: `title,summary` only those; `*` every field (the "
    "default); `-summary` every field but those; `_` none but the ever-present `id`, `type` and `url` "
    '(docs/api.md "Lists"). An unknown name is a 400 naming `fields`.',
    example="title,thumbnail",
)


class Listing(Schema):
    """The frame of every list answer; a list's schema adds its ``results``."""

    count: int = Field(description="Items that match, on every page.")
    next: str | None = Field(description="The absolute URL of the next page (same parameters), null on the last.")
    previous: str | None = Field(description="The absolute URL of the previous page, null on the first.")


def page_links(
    request: HttpRequest, page: int, page_size: int, count: int, deepest: int | None = None
) -> dict[str, str | None]:
    """``next`` and ``previous`` of page ``page``: the request's URL with another ``page``, or None.

    There is no next page past the last one that has items, nor past ``MAX_PAGE`` or ``deepest``
    (the last item a route serves, e.g. search's ``page × page_size`` limit). A page past the end
    links back to the last page that has items.
    """
    last = max(1, ceil(count / page_size))
    last = min(last, MAX_PAGE, (deepest // page_size) if deepest else MAX_PAGE)

    def at(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "next": at(page + 1) if page < last else None,
        "previous": at(min(page - 1, last)) if page > 1 else None,
    }


def unpaged(results: list[Any]) -> dict[str, Any]:
    """A list answered whole: no next or previous page."""
    return {"count": len(results), "next": None, "previous": None, "results": results}


def select_fields(raw: str | None, known: Sequence[str]) -> tuple[str, ...]:
    """The names of ``known`` an item keeps for ``fields=raw``, in ``known``'s order.

    ``a,b`` only those; ``*`` (or nothing) all; ``-a`` removes ``a`` from the rest; ``_`` clears (Wagtail's
    ``_,title``). ``ALWAYS`` stays whatever is asked. An unknown name is a 400 naming ``fields``.
    """
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    named = [name.removeprefix("-") for name in names if name not in {"*", "_"}]
    unknown = [name for name in named if name not in known]
    if unknown:
        quoted = ", ".join(repr(name[:QUOTED_LENGTH]) for name in sorted(set(unknown))[:QUOTED_NAMES])
        raise InvalidInput(
            "fields",
            gettext("Unknown field(s): %(names)s; known: %(known)s.") % {"names": quoted, "known": ", ".join(known)},
            "unknown_field",
        )
    chosen = [name for name in names if name not in {"*", "_"} and not name.startswith("-")]
    kept = set(known) if "*" in names or not chosen and "_" not in names else set(chosen)
    kept -= {name[1:] for name in names if name.startswith("-")}
    return tuple(name for name in known if name in kept or name in ALWAYS)


def only(item: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: item[name] for name in names if name in item}


def selectable(model: type[Schema], name: str) -> type[Schema]:
    """``model`` with every field but ``ALWAYS`` optional: the item of a list that takes ``fields=``.

    Optional means "may be absent" (not "may be null"): the route answers with ``exclude_unset``, so a
    field dropped by ``fields=`` is left out, never filled with a default.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in ALWAYS:
            fields[field_name] = (info.annotation, info)
        else:
            fields[field_name] = (
                info.annotation,
                Field(default_factory=_absent, description=info.description),
            )
    return create_model(name, __base__=Schema, __doc__=model.__doc__, **fields)


def _absent() -> None:
    """The default of a field ``fields=`` dropped; never answered (the routes exclude unset fields)."""
    return None
