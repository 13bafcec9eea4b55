"""Delivering many events with several in flight, a delivery log and a summary.

Each event is one delivery with its own retries (see ``mock_rimo.sender``); up to
``concurrency`` deliveries run at once, as a provider's delivery workers do.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

from mock_rimo.sender import DeliveryResult, WebhookSender


def _outcome(result: DeliveryResult) -> str:
    """What the receiver made of a delivered event (processed, duplicate, ignored), or why
    the delivery failed."""
    if not result.delivered:
        return "failed"
    try:
        status = json.loads(result.response_body).get("status")
    except (ValueError, AttributeError):
        status = None
    return str(status) if isinstance(status, str) else "delivered"


@dataclass(frozen=True, slots=True)
class BulkReport:
    """Every delivery of a bulk send, in the order the events were given."""

    results: tuple[DeliveryResult, ...]
    elapsed_seconds: float

    @property
    def failures(self) -> list[DeliveryResult]:
        return [result for result in self.results if not result.delivered]

    def outcomes(self) -> Counter[str]:
        return Counter(_outcome(result) for result in self.results)

    def summary(self) -> str:
        attempts = sum(len(result.attempts) for result in self.results)
        rate = len(self.results) / self.elapsed_seconds if self.elapsed_seconds else 0.0
        outcomes = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes().items()))
        return "\n".join(
            [
                f"{len(self.results)} events in {self.elapsed_seconds:.1f} s ({rate:.0f}/s): "
                f"{len(self.results) - len(self.failures)} delivered, "
                f"{len(self.failures)} failed",
                f"  outcomes: {outcomes}",
                f"  attempts: {attempts} ({attempts - len(self.results)} retries)",
            ]
        )


class DeliveryLog:
    """One JSON line per attempt: id, type, attempt, status, latency and outcome.

    A log that cannot be written (a full disk) stops logging and keeps the error in
    ``failure``; it never turns a delivery that happened into a crash.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.failure: OSError | None = None

    def record(self, result: DeliveryResult) -> None:
        lines = []
        for attempt in result.attempts:
            last = attempt.number == len(result.attempts)
            lines.append(
                {
                    "id": result.event_id,
                    "type": result.event_type,
                    "attempt": attempt.number,
                    "timestamp": attempt.timestamp,
                    "status": attempt.status,
                    "error": attempt.error,
                    "latency_ms": round(attempt.latency_seconds * 1000, 1),
                    "delay_before_s": round(attempt.delay_before_seconds, 3),
                    "outcome": _outcome(result) if last else "retried",
                }
            )
        with self._lock:
            if self.failure is not None:
                return
            try:
                for line in lines:
                    self._stream.write(json.dumps(line) + "\n")
                self._stream.flush()
            except OSError as error:
                self.failure = error


def deliver_all(
    sender: WebhookSender,
    events: Sequence[Mapping[str, Any]],
    *,
    concurrency: int = 8,
    log: DeliveryLog | None = None,
    on_done: Callable[[DeliveryResult], object] | None = None,
) -> BulkReport:
    """Deliver every event (validated against its schema first), ``concurrency`` at once."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    started = time.perf_counter()

    def deliver(event: Mapping[str, Any]) -> DeliveryResult:
        result = sender.deliver_event(event)
        if log is not None:
            log.record(result)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = tuple(pool.map(deliver, events))
    return BulkReport(results=results, elapsed_seconds=time.perf_counter() - started)
