"""The five published example events, as Rimo's integration page shows them."""

from __future__ import annotations

from typing import Any

from schemas import EVENT_TYPES, published_example


def published(event_type: str) -> dict[str, Any]:
    """The published example of ``event_type`` (a fresh copy each call)."""
    return published_example(event_type)


def all_published() -> list[dict[str, Any]]:
    """Every published example, in lifecycle order."""
    return [published_example(event_type) for event_type in EVENT_TYPES]
