"""What the receiver does with a new event once it is verified, valid and claimed."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Protocol

from receiver.events import Event


class EventProcessor(Protocol):
    """Applies one event's effect. Raising leaves the event unrecorded, so a retry runs it."""

    def process(self, event: Event) -> None: ...


class EffectLedger:
    """Records every applied event, so tests can prove each effect happened exactly once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._applied: list[Event] = []
        self._counts: Counter[str] = Counter()

    def process(self, event: Event) -> None:
        with self._lock:
            self._applied.append(event)
            self._counts[event.id] += 1

    def effect_count(self, event_id: str) -> int:
        with self._lock:
            return self._counts[event_id]

    def applied(self) -> list[Event]:
        with self._lock:
            return list(self._applied)
