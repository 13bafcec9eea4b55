"""Turning verified raw bytes into an event, strictly (``schemas.strict_json``).

Only called after the signature holds. The bytes were signed, so they are parsed exactly
as they are, whatever Content-Type claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from receiver.errors import MalformedPayload
from schemas.strict_json import PayloadError, load_object


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


def parse_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; raises ``MalformedPayload`` for anything else."""
    try:
        return load_object(body)
    except PayloadError as error:
        raise MalformedPayload(str(error)) from None
