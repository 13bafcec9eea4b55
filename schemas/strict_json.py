"""Reading an event payload's bytes strictly, the same way on both sides.

The receiver parses signed bytes with it, and ``rimo-mock validate`` uses it too, so a
payload the validator calls readable is one the receiver can read. Strict means: UTF-8
only (no charset sniffing), no NaN, Infinity or numbers overflowing to them, no
duplicate keys (parsers disagree on which one wins), no lone UTF-16 surrogates (not
text), and no nesting deeper than events ever need.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

MAX_DEPTH: Final = 32
"""Events nest five levels deep; anything far deeper is hostile or broken."""
_KEY_SHOWN_AT_MOST: Final = 64
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class PayloadError(ValueError):
    """The bytes are not a strict UTF-8 JSON object; the message says why, briefly."""


def _reject_constant(name: str) -> Any:
    raise PayloadError(f"The body contains {name}, which is not valid JSON.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to infinity
        raise PayloadError("The body contains a number too large to represent.")
    return value


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = key if len(key) <= _KEY_SHOWN_AT_MOST else key[:_KEY_SHOWN_AT_MOST] + "..."
            raise PayloadError(f"The body repeats the key {shown!r} in one object.")
        result[key] = value
    return result


def _check_depth_and_text(value: object) -> None:
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                raise PayloadError("The body escapes a lone UTF-16 surrogate, which is not text.")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise PayloadError(f"The body nests deeper than {MAX_DEPTH} levels.")
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)


def load_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw``; raises ``PayloadError`` for anything else."""
    if not raw.strip():
        raise PayloadError("The body is empty.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("The body is not valid UTF-8.") from None
    try:
        parsed = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_object_without_duplicate_keys,
        )
    except RecursionError:
        raise PayloadError(f"The body nests deeper than {MAX_DEPTH} levels.") from None
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except PayloadError:
        raise
    except ValueError:  # an integer with more digits than Python converts
        raise PayloadError("The body contains a number with too many digits.") from None
    if not isinstance(parsed, dict):
        raise PayloadError("The body must be a JSON object (the event envelope).")
    _check_depth_and_text(parsed)
    return parsed
