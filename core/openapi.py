"""The OpenAPI document, completed with the values only the running service knows.

The routes and schemas declare every fixed constraint (bounds, lengths, choices). The codes a
request may use are not fixed: the locales come from ``MANUAL_LOCALES`` and the taxonomy codes live
in the database (editors add terms in the admin). The validators refuse any other code with a 400,
so a document that said only "a string" would describe requests that are always refused. The
document is generated for each request of ``/api/v1/openapi.json``, so it states them as enums of
the values accepted at that moment, read from the same declarations as the validators: the API
object (``site_config.api``) passes ``manual.services.case_filters.accepted_codes``, that is
``settings.MANUAL_LOCALES`` and, per filter of ``manual.taxonomy_registry``, the codes its
``check`` accepts, under the query parameter's name and the submission field's. Each set is one
named schema under ``components`` (``LocaleCode``, ``TopicCode``, ...) that every parameter and
field taking it refers to: a generated client gets one enum type per set, shared by its routes and
by the submission body, rather than one anonymous enum per parameter. A term added later
appears in the next document; a client that keeps an old copy sees a new code as outside its enum,
which is why the API still answers unknown codes with a 400 naming the field rather than relying
on the document.

(The alternative, a pattern such as ``^[a-z0-9-]{1,64}$``, is stable but admits codes the API
refuses: generated clients and fuzzers would send requests that can only fail.)
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic.fields import FieldInfo

P = TypeVar("P", bound=FieldInfo)
D = TypeVar("D", bound=dict[str, Any])

# Answered by gunicorn before Django sees the request, so in its own (HTML) shape.
SERVER_RESPONSES = {
    "414": {
        "description": "The request line (path and query) is longer than the HTTP server's limit "
        "(gunicorn's `limit_request_line`, 4094 bytes by default); answered by the server, not the API, "
        "so it has no error list."
    },
}


def documented(param: P, **schema: Any) -> P:
    """A ninja ``Query``/``Path`` whose OpenAPI schema also states ``schema`` (e.g. an enum).

    For a rule another function enforces (``search.query.build_query``, with its own 400 naming the
    field): the document tells it, and ninja does not check it a second time with other words.
    """
    extra = param.json_schema_extra  # pydantic's type also allows a callable or None
    assert isinstance(extra, dict), "ninja's Param keeps a dict there (example, deprecated, ...)"
    extra.update(schema)
    return param


@dataclass(frozen=True)
class CodeSet:
    """Codes accepted now, stated as the component ``schema`` wherever a parameter or field is in ``names``."""

    schema: str
    names: tuple[str, ...]
    values: list[str]


# What a string schema keeps beside the reference: the words about this parameter or field.
_KEPT_BESIDE_REF = ("title", "description", "default", "example", "examples")


def _restrict(schema: dict[str, Any], ref: str) -> None:
    """Make a string schema, an array's items or a nullable's string branch refer to the code set ``ref``."""
    if schema.get("type") == "array":
        _restrict(schema.setdefault("items", {}), ref)
    elif "anyOf" in schema:
        for branch in schema["anyOf"]:
            if branch.get("type") in {"string", "array"}:
                _restrict(branch, ref)
    elif schema.get("type") == "string":
        kept = {key: schema[key] for key in _KEPT_BESIDE_REF if key in schema}
        schema.clear()
        schema.update({"$ref": ref, **kept})


def _restrict_body(schema: dict[str, Any], refs: dict[str, str]) -> None:
    for name, field_schema in schema.get("properties", {}).items():
        if name in refs:
            _restrict(field_schema, refs[name])


def complete(document: D, codes: Iterable[CodeSet]) -> D:
    """A copy of ninja's document with the accepted ``codes`` and the HTTP server's own answers; of
    the document's own class (ninja's ``OpenAPISchema``)."""
    document = copy.deepcopy(document)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    refs: dict[str, str] = {}
    for code_set in codes:
        components[code_set.schema] = {"type": "string", "enum": code_set.values, "title": code_set.schema}
        refs.update(dict.fromkeys(code_set.names, f"#/components/schemas/{code_set.schema}"))
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in {"query", "path"} and parameter["name"] in refs:
                    _restrict(parameter["schema"], refs[parameter["name"]])
            for media in operation.get("requestBody", {}).get("content", {}).values():
                body = media.get("schema", {})
                _restrict_body(body, refs)
                for part in body.get("properties", {}).values():  # multipart: the JSON `data` part
                    if part.get("type") == "object":
                        _restrict_body(part, refs)
            for status, response in SERVER_RESPONSES.items():
                operation.setdefault("responses", {}).setdefault(status, copy.deepcopy(response))
    return document
