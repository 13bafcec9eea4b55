"""Deduplication of deliveries by event id, with claim / commit / release semantics.

An id is claimed atomically before processing, committed only after processing
succeeded, and released when it failed. So a concurrent duplicate never runs the effect
twice (it sees the claim), and a failure never leaves an id marked as processed (a retry
gets through).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum
from typing import Final, Protocol

DEFAULT_RETENTION_SECONDS: Final = 7 * 24 * 60 * 60
"""How long processed ids are remembered: longer than any sender's retry horizon (days)."""
DEFAULT_CLAIM_TIMEOUT_SECONDS: Final = 60
"""A claim older than this is presumed abandoned by a crashed worker and can be taken over."""
DEFAULT_MAX_ENTRIES: Final = 1_000_000


class ClaimOutcome(Enum):
    CLAIMED = "claimed"
    """This caller now owns the id and must commit or release it."""
    IN_PROGRESS = "in_progress"
    """Another caller holds a live claim on the id."""
    ALREADY_PROCESSED = "already_processed"
    """The id was committed earlier: the delivery is a duplicate."""


class StoreError(Exception):
    """The store could not answer; the caller must not assume anything about the id."""


class DedupStore(Protocol):
    """Where processed event ids are remembered."""

    def claim(self, event_id: str) -> ClaimOutcome: ...

    def commit(self, event_id: str) -> None: ...

    def release(self, event_id: str) -> None: ...


class _Entry:
    __slots__ = ("processed", "since")

    def __init__(self, *, processed: bool, since: float) -> None:
        self.processed = processed
        self.since = since


class MemoryDedupStore:
    """The spec's in-memory store: one process, lost on restart, bounded in size and age.

    Shared by the threads of one worker; several worker processes each have their own,
    so it only deduplicates reliably under a single worker process.
    """

    def __init__(
        self,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        claim_timeout_seconds: float = DEFAULT_CLAIM_TIMEOUT_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if retention_seconds <= 0 or claim_timeout_seconds <= 0 or max_entries < 1:
            raise ValueError("retention, claim timeout and size cap must all be positive")
        self._retention = retention_seconds
        self._claim_timeout = claim_timeout_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> ClaimOutcome:
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            entry = self._entries.get(event_id)
            if entry is not None:
                if entry.processed:
                    return ClaimOutcome.ALREADY_PROCESSED
                if now - entry.since < self._claim_timeout:
                    return ClaimOutcome.IN_PROGRESS
            self._entries[event_id] = _Entry(processed=False, since=now)
            self._entries.move_to_end(event_id)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            return ClaimOutcome.CLAIMED

    def commit(self, event_id: str) -> None:
        now = self._clock()
        with self._lock:
            self._entries[event_id] = _Entry(processed=True, since=now)
            self._entries.move_to_end(event_id)

    def release(self, event_id: str) -> None:
        with self._lock:
            entry = self._entries.get(event_id)
            if entry is not None and not entry.processed:
                del self._entries[event_id]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _forget_expired(self, now: float) -> None:
        # Entries are kept in order of last change, so the stale ones are at the front.
        while self._entries:
            oldest_id, oldest = next(iter(self._entries.items()))
            age = now - oldest.since
            if age < (self._retention if oldest.processed else self._claim_timeout):
                return
            del self._entries[oldest_id]
