"""Hypothesis strategies derived from the published schemas.

hypothesis-jsonschema would be the library for this, but its last release fails on
current Hypothesis (it reaches into a private API that has changed), so this module
covers the keywords our schemas use and refuses any other, so a schema change that
needs more fails loudly here instead of silently generating too little.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone
from typing import Any, Final

from hypothesis import strategies as st

_IGNORED: Final = {"$schema", "title", "description", "examples", "additionalProperties"}
_SUPPORTED: Final = _IGNORED | {
    "allOf",
    "type",
    "properties",
    "required",
    "const",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "items",
    "format",
    "pattern",
}
_LARGEST_LIST: Final = 4


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Both subschemas at once (allOf), for the shapes our schemas compose."""
    merged = {**left, **right}
    if "properties" in left and "properties" in right:
        merged["properties"] = dict(left["properties"])
        for name, schema in right["properties"].items():
            base = left["properties"].get(name, {})
            merged["properties"][name] = _merge(base, schema)
    if "required" in left or "required" in right:
        merged["required"] = sorted(set(left.get("required", ())) | set(right.get("required", ())))
    if "const" in right or "enum" in right:
        for constraint in ("type", "minLength", "maxLength"):
            merged.pop(constraint, None)
    return merged


def _flatten(schema: dict[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in schema.items() if key != "allOf"}
    for part in schema.get("allOf", ()):
        flat = _merge(_flatten(part), flat)
    return flat


def _offsets() -> st.SearchStrategy[timezone]:
    minutes = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)
    return st.one_of(st.just(UTC), minutes.map(lambda m: timezone(timedelta(minutes=m))))


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    form = schema.get("format")
    if form == "date-time":
        return st.datetimes(timezones=_offsets()).map(lambda moment: moment.isoformat())
    if form == "date":
        return st.dates().map(lambda day: day.isoformat())
    if form is not None:
        raise NotImplementedError(f"format {form!r}")
    alphabet: st.SearchStrategy[str] | None = None
    if "pattern" in schema:
        # Only whole-string character classes, the one pattern shape the schemas use.
        shape = re.fullmatch(r"\^(\[[^\]]+\])\*\$", schema["pattern"])
        if shape is None:
            raise NotImplementedError(f"pattern {schema['pattern']!r}")
        alphabet = st.from_regex(shape.group(1), fullmatch=True)
    return st.text(
        alphabet=alphabet if alphabet is not None else st.characters(codec="utf-8"),
        min_size=schema.get("minLength", 0),
        max_size=schema.get("maxLength", 64),
    )


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (a bundled schema: no $ref)."""
    schema = _flatten(schema)
    unsupported = set(schema) - _SUPPORTED
    if unsupported:
        raise NotImplementedError(f"schema keywords {sorted(unsupported)}")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: strategy_for(properties[name]) for name in properties if name in required},
            optional={
                name: strategy_for(sub) for name, sub in properties.items() if name not in required
            },
        )
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "array":
        return st.lists(
            strategy_for(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", _LARGEST_LIST), _LARGEST_LIST),
        )
    raise NotImplementedError(f"type {kind!r}")
