"""The published JSON Schemas of the Rimo webhook events, and the one loader both sides use.

The schema files beside this module are the artifact integrators consume with any
JSON Schema tool; this module only loads them (never over the network) and turns
validation errors into JSON pointers a receiver can return and a person can act on.

The files carry no ``$id``: each is identified by its path in this folder, so every
relative ``$ref`` resolves against the file it sits in, offline, in any tool that loads
the files from disk (schemas/README.md says why).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR: Final = Path(__file__).resolve().parent

EVENT_TYPES: Final = (
    "treatment.created",
    "treatment.approved",
    "order.transmitted",
    "order.shipped",
    "charge.captured",
)
"""Event types this schema set knows, in lifecycle order."""

ENVELOPE: Final = "envelope"

SCHEMA_VERSION: Final = "1.0.0"
"""Version of the schema set (see schemas/README.md for what each part of it promises)."""

UNKNOWN_PROPERTY_KEYWORD: Final = "additionalProperties"
"""The one keyword the schemas use to refuse properties they do not describe."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a payload fails its schema, located by a JSON pointer (RFC 6901)."""

    pointer: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


def schema_path(name: str) -> Path:
    """Path of the schema file for an event type, ``envelope`` or ``common/definitions``."""
    return SCHEMA_DIR / f"{name}.json"


def load_schema(name: str) -> dict[str, Any]:
    """Parsed schema document; raises ``KeyError`` for a name that has no file."""
    path = schema_path(name)
    if not path.is_file():
        raise KeyError(f"no schema named {name!r} in {SCHEMA_DIR}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def published_example(event_type: str) -> dict[str, Any]:
    """The published example payload of an event type, as kept in its schema's ``examples``."""
    if event_type not in EVENT_TYPES:
        raise KeyError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    example: dict[str, Any] = load_schema(event_type)["examples"][0]
    return example


def _all_schema_files() -> Iterable[Path]:
    return sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("common/*.json"))


@cache
def registry() -> Registry[Any]:
    """Every schema file under its path in this folder, so ``$ref``s resolve offline."""
    resources = []
    for path in _all_schema_files():
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = path.relative_to(SCHEMA_DIR).as_posix()
        resources.append((uri, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def follow_ref(ref: str, base: str) -> tuple[Any, str]:
    """What a ``$ref`` in the file ``base`` (a path in this folder) points to, and its file."""
    file_part, _, fragment = ref.partition("#")
    target_base = (
        posixpath.normpath(posixpath.join(posixpath.dirname(base), file_part))
        if file_part
        else base
    )
    target: Any = load_schema(target_base.removesuffix(".json"))
    for token in filter(None, fragment.split("/")):
        target = target[token]
    return target, target_base


def bundled(name: str) -> dict[str, Any]:
    """A schema with every ``$ref`` replaced by what it points to: one self-contained
    document, for tools that cannot follow references to other files."""
    document: dict[str, Any] = _inline(load_schema(name), f"{name}.json")
    return document


def _inline(node: Any, base: str) -> Any:
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, target_base = follow_ref(str(node["$ref"]), base)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        resolved = _inline(target, target_base)
        # Outer annotations (a description) win over the referenced ones.
        return {**resolved, **_inline(siblings, base)} if isinstance(resolved, dict) else resolved
    return {key: _inline(value, base) for key, value in node.items() if key != "$defs"}


def _escape_pointer_token(token: object) -> str:
    text = str(token)
    if len(text) > _NAME_SHOWN_AT_MOST:
        # Keys come from the payload; a pointer never repeats more than a prefix of one.
        text = text[:_NAME_SHOWN_AT_MOST] + "..."
    return text.replace("~", "~0").replace("/", "~1")


def _pointer(path: Iterable[object]) -> str:
    return "".join("/" + _escape_pointer_token(token) for token in path)


_ENUM_LISTED_AT_MOST: Final = 10
_NAME_SHOWN_AT_MOST: Final = 64


def _short(name: object) -> str:
    """A property name from the payload, quoted and cut short: it is untrusted input."""
    text = str(name)
    if len(text) > _NAME_SHOWN_AT_MOST:
        text = text[:_NAME_SHOWN_AT_MOST] + "..."
    return repr(text)


def _rule_message(keyword: str, rule: Any, schema: Mapping[str, Any]) -> str:
    """What the rule asks for, in words, built from the schema alone.

    jsonschema's own messages quote the offending value; a receiver returns these messages
    to the sender, so they never repeat the payload (which may be huge or sensitive).
    """
    plural = "" if rule == 1 else "s"
    messages: dict[str, str] = {
        "type": f"must be of type {' or '.join(rule) if isinstance(rule, list) else rule}",
        "const": f"must be {rule!r}",
        "format": f"must be a valid {rule}",
        "minLength": "must not be empty" if rule == 1 else f"must be at least {rule} characters",
        "maxLength": f"must be at most {rule} characters",
        "minimum": f"must be at least {rule}",
        "maximum": f"must be at most {rule}",
        "minItems": f"must have at least {rule} item{plural}",
        "maxItems": f"must have at most {rule} item{plural}",
        "pattern": f"must match the pattern {rule}",
    }
    if keyword == "enum":
        if isinstance(rule, list) and len(rule) > _ENUM_LISTED_AT_MOST:
            # Listing two hundred currency codes helps nobody; the description says what fits.
            return f"is not an allowed value: {schema.get('description', '')}".rstrip(": ")
        return f"must be one of {', '.join(repr(value) for value in rule)}"
    return messages.get(keyword, f"fails the {keyword} rule")


def _violations_of(error: ValidationError) -> list[Violation]:
    location = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == UNKNOWN_PROPERTY_KEYWORD and isinstance(error.instance, Mapping):
        # Point at each unexpected property rather than at the object holding it.
        described = schema.get("properties", {})
        return [
            Violation(
                _pointer([*location, name]), f"{_short(name)} is not a property of this event"
            )
            for name in error.instance
            if name not in described
        ]
    required = error.validator_value
    if (
        error.validator == "required"
        and isinstance(error.instance, Mapping)
        and isinstance(required, list)
    ):
        # jsonschema reports a missing property at its parent; point at the property itself,
        # which is what an integrator has to add.
        missing = [name for name in required if name not in error.instance]
        return [
            Violation(_pointer([*location, name]), f"{name!r} is a required property")
            for name in missing
        ]
    return [Violation(_pointer(location), _rule_message(str(error.validator), required, schema))]


class Violations(list[Violation]):
    """Violations in pointer order; ``truncated`` when there were more than the cap."""

    truncated: bool = False


def _is_whole_number(checker: object, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


# JSON Schema counts 14999.0 as an integer; money and quantities here are integers as
# written, so a float never stands in for one (schemas/README.md notes the difference).
_EventSchemaValidator = validators.extend(  # type: ignore[no-untyped-call]  # untyped in stubs
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole_number),
)


class EventValidator:
    """Validators for the envelope and every known event type, built once.

    Building a validator resolves references and compiles formats; doing it per request
    would cost more than validating, so a receiver keeps one instance for its lifetime.

    ``strict`` (the default) reports properties the schemas do not describe, which is
    what catches sender drift and typos. With ``strict=False`` they are tolerated, as a
    receiver must tolerate fields Rimo adds in a backwards-compatible release; every
    other rule still applies.

    ``max_violations`` caps how many violations are gathered: validation stops there, so a
    hostile payload with thousands of faults costs no more than one with a few.
    """

    def __init__(self, *, strict: bool = True, max_violations: int | None = None) -> None:
        if max_violations is not None and max_violations < 1:
            raise ValueError("max_violations must be at least 1")
        self.strict = strict
        self._cap = max_violations
        checker = Draft202012Validator.FORMAT_CHECKER
        # The bundled form (every $ref inlined) judges exactly like the files do, and skips a
        # reference lookup per $ref on every payload: validation runs about 2.5x faster.
        self._envelope = _EventSchemaValidator(bundled(ENVELOPE), format_checker=checker)
        self._by_type = {
            event_type: _EventSchemaValidator(bundled(event_type), format_checker=checker)
            for event_type in EVENT_TYPES
        }

    @staticmethod
    def is_known_type(event_type: object) -> bool:
        return isinstance(event_type, str) and event_type in EVENT_TYPES

    def envelope_violations(self, payload: object) -> Violations:
        """Violations of the shape every event shares, whatever its type."""
        return self._collect(self._envelope, payload)

    def violations(self, payload: object) -> Violations:
        """Violations of the payload's own type schema, or of the envelope for an unknown type."""
        event_type = payload.get("type") if isinstance(payload, Mapping) else None
        if isinstance(event_type, str) and event_type in self._by_type:
            return self._collect(self._by_type[event_type], payload)
        return self.envelope_violations(payload)

    def _collect(self, validator: Any, payload: object) -> Violations:
        found: dict[Violation, None] = {}
        truncated = False
        for error in validator.iter_errors(payload):
            if not self.strict and error.validator == UNKNOWN_PROPERTY_KEYWORD:
                continue
            for violation in _violations_of(error):
                found.setdefault(violation)
            if self._cap is not None and len(found) > self._cap:
                truncated = True
                break
        ordered = sorted(found, key=lambda violation: (violation.pointer, violation.message))
        result = Violations(ordered[: self._cap] if truncated else ordered)
        result.truncated = truncated
        return result


__all__ = [
    "ENVELOPE",
    "EVENT_TYPES",
    "SCHEMA_DIR",
    "SCHEMA_VERSION",
    "UNKNOWN_PROPERTY_KEYWORD",
    "EventValidator",
    "Violation",
    "Violations",
    "bundled",
    "follow_ref",
    "load_schema",
    "published_example",
    "registry",
    "schema_path",
]
