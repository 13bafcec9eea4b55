"""The field reference (schemas/FIELDS.md), generated from the schema files.

Generated rather than written so it can never disagree with the schemas; a test fails
when the checked-in file is stale (regenerate with ``python -m schemas.reference``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Final

from schemas import EVENT_TYPES, SCHEMA_DIR, SCHEMA_VERSION, follow_ref, load_schema

REFERENCE_PATH: Final = SCHEMA_DIR / "FIELDS.md"
_ENUM_SHOWN_AT_MOST: Final = 6


def _resolve(node: Mapping[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """The schema ``node`` stands for once its ``$ref``s are followed; outer keys win."""
    outer: dict[str, Any] = {}
    current: Mapping[str, Any] = node
    while "$ref" in current:
        outer = {**{k: v for k, v in current.items() if k != "$ref"}, **outer}
        current, base = follow_ref(str(current["$ref"]), base)
    return {**current, **outer}, base


def _describe_type(schema: Mapping[str, Any]) -> str:
    if "const" in schema:
        return f'`"{schema["const"]}"`'
    kind = str(schema.get("type", "any"))
    details: list[str] = []
    if "format" in schema:
        details.append(str(schema["format"]))
    if "enum" in schema:
        values = schema["enum"]
        if len(values) > _ENUM_SHOWN_AT_MOST:
            details.append(f"one of {len(values)} codes")
        else:
            details.append("one of " + ", ".join(f"`{value}`" for value in values))
    if "minLength" in schema or "maxLength" in schema:
        details.append(f"{schema.get('minLength', 0)} to {schema.get('maxLength', '∞')} chars")
    if "minimum" in schema:
        details.append(f"≥ {schema['minimum']}")
    if kind == "array" and "minItems" in schema:
        details.append(f"{schema['minItems']} to {schema.get('maxItems', '∞')} items")
    return kind + (f" ({', '.join(details)})" if details else "")


def _rows(schema: Mapping[str, Any], base: str, prefix: str) -> Iterator[tuple[str, ...]]:
    required = set(schema.get("required", ()))
    for name, raw in schema.get("properties", {}).items():
        field, field_base = _resolve(raw, base)
        path = f"{prefix}{name}"
        description = " ".join(str(field.get("description", "")).split())
        yield (f"`{path}`", _describe_type(field), "yes" if name in required else "no", description)
        if field.get("type") == "object" and "properties" in field:
            yield from _rows(field, field_base, f"{path}.")
        items = field.get("items")
        if field.get("type") == "array" and isinstance(items, Mapping):
            item, item_base = _resolve(items, field_base)
            if "properties" in item:
                yield from _rows(item, item_base, f"{path}[].")


def _table(rows: Iterator[tuple[str, ...]]) -> list[str]:
    lines = ["| field | type | required | description |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def render() -> str:
    """The whole reference as Markdown."""
    envelope = load_schema("envelope")
    lines = [
        "# Field reference",
        "",
        f"Generated from the schema files (schema set `{SCHEMA_VERSION}`) by "
        "`python -m schemas.reference`; do not edit by hand.",
        "",
        "## Envelope (every event)",
        "",
        " ".join(str(envelope["description"]).split()),
        "",
        *_table(_rows(envelope, "envelope.json", "")),
    ]
    for event_type in EVENT_TYPES:
        schema = load_schema(event_type)
        data, data_base = _resolve(schema["properties"]["data"], f"{event_type}.json")
        lines += [
            "",
            f"## {event_type}",
            "",
            " ".join(str(schema["description"]).split()),
            "",
            *_table(_rows(data, data_base, "data.")),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write FIELDS.md, or with ``--check`` exit 1 when it is out of date."""
    parser = argparse.ArgumentParser(
        prog="python -m schemas.reference",
        description="Generate schemas/FIELDS.md from the schema files.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if FIELDS.md is out of date"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    current = render()
    if args.check:
        on_disk = REFERENCE_PATH.read_text(encoding="utf-8") if REFERENCE_PATH.exists() else ""
        if on_disk != current:
            print(f"{REFERENCE_PATH} is out of date: run python -m schemas.reference")
            return 1
        return 0
    REFERENCE_PATH.write_text(current, encoding="utf-8")
    print(f"wrote {REFERENCE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
