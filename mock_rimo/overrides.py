"""``--set path=value`` and ``--unset path`` edits of an event before it is sent."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from typing import Any


class OverrideError(ValueError):
    """An override that cannot apply to the event: a bad path or a missing ``=``."""


def _parse_value(text: str) -> Any:
    """JSON when it parses (``0``, ``true``, ``"0"``, ``[...]``), else the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    except RecursionError:
        raise OverrideError("a --set value nests too deeply") from None
    if isinstance(value, float) and not math.isfinite(value):
        # NaN, Infinity and 1e999 parse in Python but are not JSON: refuse rather than
        # print something no receiver can read.
        raise OverrideError(f"{text!r} is not a finite JSON number; quote it to send text")
    return value


def _walk(event: Any, path: str) -> tuple[Any, str | int]:
    """The container holding the last segment of a dotted ``path``, and that segment."""
    parts = path.split(".")
    if not path or any(part == "" for part in parts):
        raise OverrideError(f"bad path {path!r}: use dotted names like data.amount")
    node = event
    for part in parts[:-1]:
        node = _child(node, part, path)
    _require_container(node, path)
    last = parts[-1]
    if isinstance(node, list) and not last.isdecimal():
        raise OverrideError(f"bad path {path!r}: {last!r} is not an index of a list")
    return node, int(last) if isinstance(node, list) else last


def _require_container(node: Any, path: str) -> None:
    if not isinstance(node, dict | list):
        raise OverrideError(f"bad path {path!r}: it goes inside a {type(node).__name__} value")


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and part.isdecimal() and int(part) < len(node):
        return node[int(part)]
    raise OverrideError(f"bad path {path!r}: nothing at {part!r}")


def apply_overrides(
    event: dict[str, Any], *, set_values: Sequence[str] = (), unset: Sequence[str] = ()
) -> dict[str, Any]:
    """A copy of ``event`` with each ``path=value`` set and each ``path`` removed."""
    edited = copy.deepcopy(event)
    for assignment in set_values:
        path, separator, raw = assignment.partition("=")
        if not separator:
            raise OverrideError(f"--set needs path=value, got {assignment!r}")
        container, key = _walk(edited, path.strip())
        if isinstance(container, list) and not (isinstance(key, int) and key < len(container)):
            raise OverrideError(f"bad path {path!r}: index out of range")
        container[key] = _parse_value(raw)
    for path in unset:
        container, key = _walk(edited, path.strip())
        try:
            del container[key]
        except (KeyError, IndexError):
            raise OverrideError(f"bad path {path!r}: nothing to remove") from None
    return edited
