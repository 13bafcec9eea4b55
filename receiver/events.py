"""Turning verified raw bytes into an event, strictly.

Only called after the signature holds. The bytes were signed, so they are parsed exactly
as they are: UTF-8 only (no charset sniffing, whatever Content-Type claimed), no NaN or
Infinity, and no duplicate keys, since parsers disagree on which duplicate wins.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from receiver.errors import MalformedPayload


@dataclass(frozen=True, slots=True)
class Event:
    """A verified, envelope-valid event."""

    id: str
    type: str
    payload: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.payload["data"]
        return data


# JSON's \u escapes can spell half of a surrogate pair, which is no Unicode character:
# such a string cannot be stored, logged or echoed as UTF-8, so the body is refused.
_KEY_SHOWN_AT_MOST = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _contains_lone_surrogate(value: object) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _reject_constant(name: str) -> Any:
    raise MalformedPayload(f"The body contains {name}, which is not valid JSON.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to infinity
        raise MalformedPayload("The body contains a number too large to represent.")
    return value


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = key if len(key) <= _KEY_SHOWN_AT_MOST else key[:_KEY_SHOWN_AT_MOST] + "..."
            raise MalformedPayload(f"The body repeats the key {shown!r} in one object.")
        result[key] = value
    return result


def parse_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; raises ``MalformedPayload`` for anything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayload("The body is not valid UTF-8.") from None
    try:
        parsed = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_object_without_duplicate_keys,
        )
    except RecursionError:
        raise MalformedPayload("The body nests too deeply to parse.") from None
    except json.JSONDecodeError as error:
        raise MalformedPayload(
            f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except ValueError:  # an integer with more digits than Python converts
        raise MalformedPayload("The body contains a number with too many digits.") from None
    if not isinstance(parsed, dict):
        raise MalformedPayload("The body must be a JSON object (the event envelope).")
    if _contains_lone_surrogate(parsed):
        raise MalformedPayload("The body escapes a lone UTF-16 surrogate, which is not text.")
    return parsed
