"""Reading the served OpenAPI document in tests: the code sets are shared components (core.openapi)."""

from __future__ import annotations

from typing import Any


def inline_refs(doc: dict, schema: Any) -> Any:
    """``schema`` with each ``$ref`` replaced by the component it names (its sibling words kept)."""
    if isinstance(schema, list):
        return [inline_refs(doc, item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return {**inline_refs(doc, doc["components"]["schemas"][name]), **siblings}
    return {key: inline_refs(doc, value) for key, value in schema.items()}
